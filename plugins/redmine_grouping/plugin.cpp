// The plugin's only export; everything else lives in redmine_grouping_core.
#include "redmine_sink.hpp"

TG_SINK_PLUGIN(tg::redmine::RedmineSink, "redmine_grouping", "1.0.0")
