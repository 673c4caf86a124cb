/* A hand-written C sink whose table the host must refuse. Built several times (see
 * tests/sdk/CMakeLists.txt) with one of:
 *   TG_TEST_ABI_MAJOR / TG_TEST_ABI_MINOR  the versions its table claims (default: the SDK's)
 *   TG_TEST_STRUCT_SIZE                     the struct_size its table claims (default: sizeof)
 * The functions are harmless: the host must refuse the table before calling any of them. */
#include <tickets_grouping/sink_abi.h>

#include <stddef.h>

#ifndef TG_TEST_ABI_MAJOR
#define TG_TEST_ABI_MAJOR TG_SINK_ABI_MAJOR
#endif
#ifndef TG_TEST_ABI_MINOR
#define TG_TEST_ABI_MINOR TG_SINK_ABI_MINOR
#endif
#ifndef TG_TEST_STRUCT_SIZE
#define TG_TEST_STRUCT_SIZE sizeof(tg_sink_plugin)
#endif

static tg_status create(const tg_sink_create_args* args, void** instance, tg_error_buf* error) {
    (void)args;
    (void)error;
    *instance = (void*)&create;
    return TG_OK;
}

static void destroy(void* instance) { (void)instance; }

static tg_status deliver(void* instance, const tg_delivery* delivery, tg_error_buf* error) {
    (void)instance;
    (void)delivery;
    (void)error;
    return TG_OK;
}

TG_SINK_EXPORT const tg_sink_plugin* tg_sink_entry(void) {
    static const tg_sink_plugin plugin = {(uint32_t)(TG_TEST_STRUCT_SIZE),
                                          TG_TEST_ABI_MAJOR,
                                          TG_TEST_ABI_MINOR,
                                          "abi_mismatch_sink",
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
