# tickets_grouping_add_sink(<target> <sources>...): builds a sink plugin the host can load.
# The file is <target>.so; name it in the routing file as `plugin: <target>` (with `plugin_dirs`)
# or by its path.
function(tickets_grouping_add_sink target)
  add_library(${target} MODULE ${ARGN})
  set_target_properties(${target} PROPERTIES PREFIX "" CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_options(${target} PRIVATE -Wl,--no-undefined)
  target_link_libraries(${target} PRIVATE TicketsGrouping::sdk)
endfunction()
