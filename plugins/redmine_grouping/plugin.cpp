// The plugin's only export; everything else lives in redmine_grouping_core.
#include "redmine_sink.hpp"

// TG_SINK_VERSION: the project's version (tg_sink_version in plugins/CMakeLists.txt).
TG_SINK_PLUGIN(tg::redmine::RedmineSink, "redmine_grouping", TG_SINK_VERSION)
