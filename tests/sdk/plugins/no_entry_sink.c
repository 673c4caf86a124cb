/* A shared object that is not a sink: it exports a function, but not tg_sink_entry. */
#include <tickets_grouping/sink_abi.h>

TG_SINK_EXPORT int not_a_sink_entry(void) { return 42; }
