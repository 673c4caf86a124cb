# tickets_grouping_add_sink(<target> <sources>...): builds a sink plugin the host can load.
# The file is <target>.so; name it in the routing file as `plugin: <target>` (with `plugin_dirs`)
# or by its path. TG_SINK_VERSION is the project's VERSION (project(x VERSION 1.2.0)) as a string,
# "unversioned" without one: TG_SINK_PLUGIN(MySink, "my_sink", TG_SINK_VERSION).
function(tickets_grouping_add_sink target)
  add_library(${target} MODULE ${ARGN})
  set_target_properties(${target} PROPERTIES PREFIX "" CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_options(${target} PRIVATE -Wl,--no-undefined)
  target_link_libraries(${target} PRIVATE TicketsGrouping::sdk)
  set(version "${PROJECT_VERSION}")
  if(version STREQUAL "")
    set(version unversioned)
  endif()
  target_compile_definitions(${target} PRIVATE TG_SINK_VERSION="${version}")
endfunction()
