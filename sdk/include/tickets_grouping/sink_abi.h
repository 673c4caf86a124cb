/*
 * tickets-grouping sink ABI: the C contract between the router host and a sink plugin.
 *
 * Rules that keep this contract stable for plugins built by other compilers:
 *  - Only C types cross it. Strings are borrowed (pointer + length, not NUL-terminated
 *    unless stated) and valid only for the duration of the call that passes them.
 *  - Every struct that may grow starts with `struct_size`; fields are only ever appended.
 *    A reader checks `struct_size` before touching a field added in a later minor version.
 *  - A change of TG_SINK_ABI_MAJOR means an incompatible change; the host refuses a plugin
 *    whose major differs from its own.
 *  - No function on either side may let an exception or a longjmp escape.
 *  - The host never calls into one sink instance from two threads at once, except deliver
 *    in a sink that declares delivery groups (1.6, group_label_count below).
 */
#ifndef TICKETS_GROUPING_SINK_ABI_H
#define TICKETS_GROUPING_SINK_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TG_SINK_ABI_MAJOR 1
#define TG_SINK_ABI_MINOR 6

/* The one symbol a plugin exports. */
#define TG_SINK_ENTRY_SYMBOL "tg_sink_entry"

#if defined(_WIN32)
#define TG_SINK_EXPORT __declspec(dllexport)
#else
#define TG_SINK_EXPORT __attribute__((visibility("default")))
#endif

/* A borrowed string: `data` need not be NUL-terminated; `size` is in bytes (UTF-8). */
typedef struct tg_str {
    const char* data;
    size_t size;
} tg_str;

typedef enum tg_status {
    TG_OK = 0,          /* done */
    TG_RETRY_LATER = 1, /* transient failure: the host retries with backoff */
    TG_DROP = 2         /* permanent failure: the host moves the delivery to the dead letters */
} tg_status;

/* Host-owned buffer for an error message. The sink writes at most `capacity` bytes including
 * a terminating NUL (tg_error_set in the C++ wrapper does this safely). */
typedef struct tg_error_buf {
    char* data;
    size_t capacity;
} tg_error_buf;

typedef enum tg_log_level {
    TG_LOG_DEBUG = 0,
    TG_LOG_INFO = 1,
    TG_LOG_WARN = 2,
    TG_LOG_ERROR = 3
} tg_log_level;

/* Returned by tg_host_services.get_env when a variable is not set. */
#define TG_ENV_UNSET ((size_t)-1)

/* One label of an alert; both strings borrowed. */
typedef struct tg_label {
    tg_str name;
    tg_str value;
} tg_label;

/* Services the host offers to a sink. Grows only at its end. */
typedef struct tg_host_services {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    void* host_ctx; /* pass back as the first argument of every service */
    /* One log line; the host adds the sink's name and formats it. `message` is borrowed. */
    void (*log)(void* host_ctx, tg_log_level level, tg_str message);
    /* Looks a variable up in the operator's env file, then in the process environment.
     * Copies at most `capacity` bytes into `buffer` (no NUL added) and returns the full
     * length, or TG_ENV_UNSET. Call again with a larger buffer if the result exceeds it. */
    size_t (*get_env)(void* host_ctx, tg_str name, char* buffer, size_t capacity);

    /* --- Added in 1.1: check struct_size before using (an older host lacks them). --- */

    /* Metrics, exposed by the host at /metrics as `tickets_grouping_sink_<name>` with the label
     * sink="<instance name>" added. `name`: [a-zA-Z_][a-zA-Z0-9_]*, at most 100 bytes.
     * `labels`: "" or `key=value` pairs separated by commas (e.g. "action=created,kind=root");
     * keys as names (not "sink", not starting with "__"), values without ',' '=' or control
     * characters, at most 128 bytes. The host drops an invalid call (warning once per name), a
     * name used as both a counter and a histogram, and series beyond 1000 per instance.
     * Safe to call from the sink's own threads; never fails, never blocks for long. */
    /* Adds `value` (>= 0, finite) to a counter; the name should end in `_total`. */
    void (*metric_add)(void* host_ctx, tg_str name, tg_str labels, double value);
    /* Records one observation in a histogram (seconds; buckets 0.005 ... 10 s, +Inf). */
    void (*metric_observe)(void* host_ctx, tg_str name, tg_str labels, double value);

    /* --- Added in 1.4: check struct_size before using (an older host lacks it). --- */

    /* Tells the host what in the sink's target a delivery touched (for Redmine: the ticket), for
     * the host's status page: `url` an absolute http(s) URL (at most 2000 bytes), `label` a short
     * text (e.g. "#123 [Alert] HighCPU (server01)", cut at 200 bytes). Call it only during
     * deliver, on the thread of that call, once per item touched (the host keeps the first 20);
     * calls at any other time, in a dry run, or with another scheme are ignored. Never fails. */
    void (*report_link)(void* host_ctx, tg_str url, tg_str label);

    /* --- Added in 1.5: check struct_size before using (an older host lacks it). --- */

    /* Whether the host's routing file sends an alert with exactly these labels (`label_count`
     * of them, in any order; a name given twice counts with its last value) to this sink
     * instance: the route tree walked as it routes a webhook's alert, in the configuration
     * running now (also after a reload). For a sink that reads alerts from elsewhere than its
     * deliveries (Alertmanager's API, say) and must act only on those routed to it. Returns 1
     * when the alert is routed here, 0 when it is not, -1 when the call is invalid (`labels`
     * NULL with a `label_count` above 0, or a label with an empty name). Safe to call from any
     * thread until destroy; never blocks for long, never fails otherwise. */
    int (*routes_here)(void* host_ctx, const tg_label* labels, size_t label_count);
} tg_host_services;

/* Arguments of create. Grows only at its end. */
typedef struct tg_sink_create_args {
    uint32_t struct_size;
    tg_str instance_name;         /* the sink's name in the routing file, e.g. "redmine" */
    tg_str config_json;           /* the sink's `config:` block as a JSON object */
    tg_str state_dir;             /* an existing directory that belongs to this instance alone */
    const tg_host_services* host; /* valid until destroy */

    /* --- Added in 1.2: check struct_size before using (an older host lacks it). --- */

    /* The store the host's replicas share, for a sink whose own state must be shared by the
     * replicas too (each replica runs its own instance of the sink): "" when the host runs on
     * its embedded store (keep state in state_dir), else a libpq connection string
     * ("host=... port=... dbname=... user=... password=..."). It may hold a password: never log
     * it. Keep the sink's tables apart from the host's (a schema of the sink's own, named after
     * the plugin and instance_name). */
    tg_str shared_store;
} tg_sink_create_args;

/* Flags of a delivery or a hook run. */
#define TG_FLAG_DRY_RUN 0x1u /* describe through log() what would change; change nothing */

/* One notification for the sink. Grows only at its end. */
typedef struct tg_delivery {
    uint32_t struct_size;
    /* An Alertmanager webhook (version 4) JSON object holding only the alerts routed to this
     * sink; the host has filled `status` and `fingerprint` where the sender left them out. */
    tg_str notification_json;
    /* Equal for every attempt of the same content to the same sink, including duplicates
     * sent by an Alertmanager HA cluster: applying a key twice must change nothing. */
    tg_str idempotency_key;
    tg_str route; /* the matching route's path in the routing file, for logs */
    uint32_t flags;
    uint32_t attempt; /* 1 for the first attempt */
} tg_delivery;

/* A scheduled hook the sink declares; strings are owned by the instance and stay valid
 * until destroy. */
typedef struct tg_hook_decl {
    uint32_t struct_size;
    const char* name;         /* NUL-terminated, e.g. "carry_over" */
    const char* default_cron; /* NUL-terminated 5-field cron expression, e.g. "0 9 * * *" */
    const char* time_zone;    /* NUL-terminated IANA zone for the cron, or "" for the host's */
} tg_hook_decl;

typedef struct tg_hook_run {
    uint32_t struct_size;
    tg_str name;
    int64_t scheduled_unix_ms; /* the schedule slot this run is for (now, when run by hand) */
    uint32_t flags;
} tg_hook_run;

/* What a plugin's entry point returns: a static table that lives as long as the process. */
typedef struct tg_sink_plugin {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    const char* plugin_name;    /* NUL-terminated */
    const char* plugin_version; /* NUL-terminated */

    /* Builds an instance from its configuration; on failure returns TG_DROP (bad config) or
     * TG_RETRY_LATER and writes why into `error`. */
    tg_status (*create)(const tg_sink_create_args* args, void** instance, tg_error_buf* error);
    void (*destroy)(void* instance);
    tg_status (*deliver)(void* instance, const tg_delivery* delivery, tg_error_buf* error);

    /* Scheduled hooks; hook_count may be NULL when the sink has none. */
    uint32_t (*hook_count)(void* instance);
    tg_status (*hook_get)(void* instance, uint32_t index, tg_hook_decl* out);
    tg_status (*run_hook)(void* instance, const tg_hook_run* run, tg_error_buf* error);

    /* Deeper checks for --check-config (may reach remote systems); may be NULL. Each problem
     * is reported through log() at TG_LOG_ERROR; returns TG_OK when there is none. */
    tg_status (*check)(void* instance, tg_error_buf* error);

    /* --- Added in 1.3: the host reads it only when struct_size covers it (an older plugin's
     * table ends before it). --- */

    /* Whether the sink's target is healthy apart from the delivery at the head of the queue
     * (for Redmine: GET /users/current.json answers). May be NULL. Returns TG_OK when it is,
     * else TG_RETRY_LATER (or TG_DROP) with why in `error`. The host calls it on the delivery
     * thread, after a head has failed server.probe_after attempts in a row with TG_RETRY_LATER:
     * TG_OK moves that head to the dead letters (it is the delivery, not the target, that
     * fails), so the queue behind it moves on. Without probe such a head is retried until its
     * retry policy gives up (max_attempts, max_age). Must change nothing. */
    tg_status (*probe)(void* instance, tg_error_buf* error);

    /* --- Added in 1.6: the host reads them only when struct_size covers them. --- */

    /* Delivery groups: parallel deliveries, ordered within a group. Both NULL, or a count of 0:
     * the host calls deliver for one delivery at a time, in arrival order (the contract before
     * 1.6). Otherwise the sink names the labels whose values make an alert's group (for Redmine:
     * the labels of a Root, e.g. "alertname"); the host then splits each notification for this
     * sink into one delivery per group (an alert without a label counts with the value ""), and
     * may call deliver from up to the sink's `concurrency` threads at once (a routing file's sink
     * setting), with these guarantees:
     *  - never two deliveries of one group at once, and a group's deliveries in arrival order,
     *    across the replicas of a shared store too;
     *  - a delivery spooled before 1.6 grouping took effect (or given back from the dead letters)
     *    has no group: it runs alone, after every delivery before it and before any after it;
     *  - create, destroy, run_hook, check and probe are never called while a deliver runs.
     * So the sink must make deliver safe to run concurrently for different groups (its own
     * connections per thread, locks on what groups share). The names are NUL-terminated, owned by
     * the instance and valid until destroy; the host reads them once, after create. */
    uint32_t (*group_label_count)(void* instance);
    const char* (*group_label_get)(void* instance, uint32_t index); /* NULL: index out of range */
} tg_sink_plugin;

typedef const tg_sink_plugin* (*tg_sink_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* TICKETS_GROUPING_SINK_ABI_H */
