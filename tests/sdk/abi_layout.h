/*
 * The released layouts of sink_abi.h, frozen: every struct's field offsets and sizes, and its size
 * at each released minor (what struct_size holds when a peer of that minor fills it in). Compiled
 * as C (abi_layout_c.c, as a C plugin sees the header) and as C++ (abi_layout_test.cpp), so an
 * accidental change fails the build. x86-64 / LP64 values.
 *
 * Releasing a minor: add its fields under `#if TG_SINK_ABI_MINOR >= N`, its sizes to the size
 * table and TG_LAST_FROZEN_MINOR; never edit the lines of an earlier minor. Mind the padding:
 * tg_hook_run ends with 4 bytes after `flags` that a 1.0 peer's struct_size (40) already covers,
 * so a field appended to it must start at offset 40 or later, never in those 4 bytes.
 */
#ifndef TG_TEST_ABI_LAYOUT_H
#define TG_TEST_ABI_LAYOUT_H

#include <tickets_grouping/sink_abi.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define TG_FROZEN(condition, what) static_assert(condition, what)
#else
#define TG_FROZEN(condition, what) _Static_assert(condition, what)
#endif

/* One field: its offset and its size. */
#define TG_FIELD(type, field, offset, size)                                  \
    TG_FROZEN(offsetof(type, field) == (offset), #type "." #field " moved"); \
    TG_FROZEN(sizeof(((type*)0)->field) == (size), #type "." #field " changed size")

TG_FROZEN(sizeof(void*) == 8 && sizeof(size_t) == 8, "these layouts are LP64's");

/* ---- sink ABI 1.0 ---- */
TG_FROZEN(TG_SINK_ABI_MAJOR == 1, "a new major starts a new frozen file");
TG_FROZEN(TG_OK == 0 && TG_RETRY_LATER == 1 && TG_DROP == 2, "tg_status values");
TG_FROZEN(sizeof(tg_status) == 4 && sizeof(tg_log_level) == 4, "enum sizes");
TG_FROZEN(TG_LOG_DEBUG == 0 && TG_LOG_INFO == 1 && TG_LOG_WARN == 2 && TG_LOG_ERROR == 3,
          "tg_log_level values");
TG_FROZEN(TG_FLAG_DRY_RUN == 1u, "TG_FLAG_DRY_RUN");
TG_FROZEN(TG_ENV_UNSET == (size_t)-1, "TG_ENV_UNSET");

TG_FIELD(tg_str, data, 0, 8);
TG_FIELD(tg_str, size, 8, 8);
TG_FROZEN(sizeof(tg_str) == 16, "tg_str");
TG_FIELD(tg_error_buf, data, 0, 8);
TG_FIELD(tg_error_buf, capacity, 8, 8);
TG_FROZEN(sizeof(tg_error_buf) == 16, "tg_error_buf");

TG_FIELD(tg_host_services, struct_size, 0, 4);
TG_FIELD(tg_host_services, abi_major, 4, 4);
TG_FIELD(tg_host_services, abi_minor, 8, 4);
TG_FIELD(tg_host_services, host_ctx, 16, 8);
TG_FIELD(tg_host_services, log, 24, 8);
TG_FIELD(tg_host_services, get_env, 32, 8);

TG_FIELD(tg_sink_create_args, struct_size, 0, 4);
TG_FIELD(tg_sink_create_args, instance_name, 8, 16);
TG_FIELD(tg_sink_create_args, config_json, 24, 16);
TG_FIELD(tg_sink_create_args, state_dir, 40, 16);
TG_FIELD(tg_sink_create_args, host, 56, 8);

TG_FIELD(tg_delivery, struct_size, 0, 4);
TG_FIELD(tg_delivery, notification_json, 8, 16);
TG_FIELD(tg_delivery, idempotency_key, 24, 16);
TG_FIELD(tg_delivery, route, 40, 16);
TG_FIELD(tg_delivery, flags, 56, 4);
TG_FIELD(tg_delivery, attempt, 60, 4);

TG_FIELD(tg_hook_decl, struct_size, 0, 4);
TG_FIELD(tg_hook_decl, name, 8, 8);
TG_FIELD(tg_hook_decl, default_cron, 16, 8);
TG_FIELD(tg_hook_decl, time_zone, 24, 8);

TG_FIELD(tg_hook_run, struct_size, 0, 4);
TG_FIELD(tg_hook_run, name, 8, 16);
TG_FIELD(tg_hook_run, scheduled_unix_ms, 24, 8);
TG_FIELD(tg_hook_run, flags, 32, 4);

TG_FIELD(tg_sink_plugin, struct_size, 0, 4);
TG_FIELD(tg_sink_plugin, abi_major, 4, 4);
TG_FIELD(tg_sink_plugin, abi_minor, 8, 4);
TG_FIELD(tg_sink_plugin, plugin_name, 16, 8);
TG_FIELD(tg_sink_plugin, plugin_version, 24, 8);
TG_FIELD(tg_sink_plugin, create, 32, 8);
TG_FIELD(tg_sink_plugin, destroy, 40, 8);
TG_FIELD(tg_sink_plugin, deliver, 48, 8);
TG_FIELD(tg_sink_plugin, hook_count, 56, 8);
TG_FIELD(tg_sink_plugin, hook_get, 64, 8);
TG_FIELD(tg_sink_plugin, run_hook, 72, 8);
TG_FIELD(tg_sink_plugin, check, 80, 8);

/* ---- sink ABI 1.1: metrics ---- */
TG_FIELD(tg_host_services, metric_add, 40, 8);
TG_FIELD(tg_host_services, metric_observe, 48, 8);

/* ---- sink ABI 1.2: the replicas' shared store ---- */
TG_FIELD(tg_sink_create_args, shared_store, 64, 16);

/* ---- The size of each struct at each released minor (1.0 / 1.1 / 1.2) ---- */
#define TG_SIZE_HOST_SERVICES_1_0 40
#define TG_SIZE_HOST_SERVICES_1_1 56
#define TG_SIZE_HOST_SERVICES_1_2 56
#define TG_SIZE_CREATE_ARGS_1_0 64
#define TG_SIZE_CREATE_ARGS_1_1 64
#define TG_SIZE_CREATE_ARGS_1_2 80
#define TG_SIZE_DELIVERY_1_2 64  /* unchanged since 1.0 */
#define TG_SIZE_HOOK_DECL_1_2 32 /* unchanged since 1.0 */
#define TG_SIZE_HOOK_RUN_1_2 40  /* unchanged since 1.0 (4 bytes of padding at the end) */
#define TG_SIZE_PLUGIN_1_2 88    /* unchanged since 1.0: the host's minimum table */

/* What each minor's peer puts in struct_size is the end of that minor's last field. */
TG_FROZEN(offsetof(tg_host_services, metric_add) == TG_SIZE_HOST_SERVICES_1_0, "1.0 services");
TG_FROZEN(offsetof(tg_sink_create_args, shared_store) == TG_SIZE_CREATE_ARGS_1_1, "1.1 args");

/* ---- sink ABI 1.3: `probe` appended to tg_sink_plugin ---- */
#if TG_SINK_ABI_MINOR >= 3
TG_FIELD(tg_sink_plugin, probe, 88, 8);
#define TG_SIZE_PLUGIN_1_3 96
#endif

/* ---- sink ABI 1.4: `report_link` appended to tg_host_services ---- */
#if TG_SINK_ABI_MINOR >= 4
TG_FIELD(tg_host_services, report_link, 56, 8);
#define TG_SIZE_HOST_SERVICES_1_4 64
#endif

/* ---- sink ABI 1.5: `routes_here` appended to tg_host_services, and its tg_label ---- */
#if TG_SINK_ABI_MINOR >= 5
TG_FIELD(tg_label, name, 0, 16);
TG_FIELD(tg_label, value, 16, 16);
TG_FROZEN(sizeof(tg_label) == 32, "tg_label");
TG_FIELD(tg_host_services, routes_here, 64, 8);
#define TG_SIZE_HOST_SERVICES_1_5 72
/* What a 1.4 host puts in struct_size ends where routes_here starts. */
TG_FROZEN(offsetof(tg_host_services, routes_here) == TG_SIZE_HOST_SERVICES_1_4, "1.4 services");
#endif

/* ---- sink ABI 1.6: delivery groups appended to tg_sink_plugin ---- */
#if TG_SINK_ABI_MINOR >= 6
TG_FIELD(tg_sink_plugin, group_label_count, 96, 8);
TG_FIELD(tg_sink_plugin, group_label_get, 104, 8);
#define TG_SIZE_PLUGIN_1_6 112
/* What a 1.5 plugin puts in struct_size ends where group_label_count starts. */
TG_FROZEN(offsetof(tg_sink_plugin, group_label_count) == TG_SIZE_PLUGIN_1_3, "1.5 plugin");
#endif

/* The current minor's sizes: a field appended without a new minor fails here. */
#if TG_SINK_ABI_MINOR >= 2 && TG_SINK_ABI_MINOR <= 6
#if TG_SINK_ABI_MINOR >= 5
TG_FROZEN(sizeof(tg_host_services) == TG_SIZE_HOST_SERVICES_1_5, "tg_host_services grew in 1.5");
#elif TG_SINK_ABI_MINOR == 4
TG_FROZEN(sizeof(tg_host_services) == TG_SIZE_HOST_SERVICES_1_4, "tg_host_services grew in 1.4");
#else
TG_FROZEN(sizeof(tg_host_services) == TG_SIZE_HOST_SERVICES_1_2, "tg_host_services grew");
#endif
TG_FROZEN(sizeof(tg_sink_create_args) == TG_SIZE_CREATE_ARGS_1_2, "tg_sink_create_args grew");
TG_FROZEN(sizeof(tg_delivery) == TG_SIZE_DELIVERY_1_2, "tg_delivery grew");
TG_FROZEN(sizeof(tg_hook_decl) == TG_SIZE_HOOK_DECL_1_2, "tg_hook_decl grew");
TG_FROZEN(sizeof(tg_hook_run) == TG_SIZE_HOOK_RUN_1_2, "tg_hook_run grew");
#endif
#if TG_SINK_ABI_MINOR == 2
TG_FROZEN(sizeof(tg_sink_plugin) == TG_SIZE_PLUGIN_1_2, "tg_sink_plugin grew in 1.2");
#elif TG_SINK_ABI_MINOR >= 3 && TG_SINK_ABI_MINOR <= 5
TG_FROZEN(sizeof(tg_sink_plugin) == TG_SIZE_PLUGIN_1_3, "tg_sink_plugin grew");
#elif TG_SINK_ABI_MINOR == 6
TG_FROZEN(sizeof(tg_sink_plugin) == TG_SIZE_PLUGIN_1_6, "tg_sink_plugin grew in 1.6");
#endif
/* Later minors only append: the structs never shrink below the last frozen minor. */
TG_FROZEN(sizeof(tg_host_services) >= TG_SIZE_HOST_SERVICES_1_2, "tg_host_services shrank");
TG_FROZEN(sizeof(tg_sink_create_args) >= TG_SIZE_CREATE_ARGS_1_2, "tg_sink_create_args shrank");
TG_FROZEN(sizeof(tg_delivery) >= TG_SIZE_DELIVERY_1_2, "tg_delivery shrank");
TG_FROZEN(sizeof(tg_hook_decl) >= TG_SIZE_HOOK_DECL_1_2, "tg_hook_decl shrank");
TG_FROZEN(sizeof(tg_hook_run) >= TG_SIZE_HOOK_RUN_1_2, "tg_hook_run shrank");
TG_FROZEN(sizeof(tg_sink_plugin) >= TG_SIZE_PLUGIN_1_2, "tg_sink_plugin shrank");

/* The last minor whose layout is frozen here (abi_layout_test.cpp fails past it). */
#define TG_LAST_FROZEN_MINOR 6

#endif /* TG_TEST_ABI_LAYOUT_H */
