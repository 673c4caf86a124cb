/* A hand-written C sink whose deliver misbehaves in ways the C++ wrapper would never allow.
 * Config {"mode": "..."}:
 *   "bad_status"    returns 7, a value outside tg_status
 *   "unterminated"  returns TG_RETRY_LATER after filling the whole error buffer with 'x' and no NUL
 */
#include <tickets_grouping/sink_abi.h>

#include <stdlib.h>
#include <string.h>

typedef struct instance {
    int unterminated;
} instance;

static int config_has(tg_str config, const char* word) {
    const size_t n = strlen(word);
    for (size_t i = 0; i + n <= config.size; ++i)
        if (memcmp(config.data + i, word, n) == 0) return 1;
    return 0;
}

static tg_status create(const tg_sink_create_args* args, void** out, tg_error_buf* error) {
    (void)error;
    instance* self = calloc(1, sizeof *self);
    if (!self) return TG_RETRY_LATER;
    self->unterminated = config_has(args->config_json, "unterminated");
    *out = self;
    return TG_OK;
}

static void destroy(void* self) { free(self); }

static tg_status deliver(void* self, const tg_delivery* delivery, tg_error_buf* error) {
    (void)delivery;
    if (((instance*)self)->unterminated) {
        memset(error->data, 'x', error->capacity);
        return TG_RETRY_LATER;
    }
    if (error->capacity > 0)
        strncpy(error->data, "ignored: the status is not valid", error->capacity - 1);
    return (tg_status)7;
}

TG_SINK_EXPORT const tg_sink_plugin* tg_sink_entry(void) {
    static const tg_sink_plugin plugin = {sizeof(tg_sink_plugin),
                                          TG_SINK_ABI_MAJOR,
                                          TG_SINK_ABI_MINOR,
                                          "bad_status_sink",
                                          "0.0.1",
                                          create,
                                          destroy,
                                          deliver,
                                          NULL,
                                          NULL,
                                          NULL,
                                          NULL,
                                          NULL,
                                          NULL,
                                          NULL};
    return &plugin;
}
