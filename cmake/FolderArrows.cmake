# The host's folders as libraries, and the check that their #includes follow the declared arrows
# (host/CMakeLists.txt). A folder's include of "other/file.hpp" is allowed when `other` is the
# folder itself or one of its USES.

# tg_check_folder_arrows(SRC_DIR FOLDER USES folder...): fails the configure on an #include of a
# folder of SRC_DIR or of TG_COMMON_FOLDERS that FOLDER does not use.
function(tg_check_folder_arrows src_dir folder)
  cmake_parse_arguments(ARG "" "" "USES" ${ARGN})
  file(GLOB sources ${src_dir}/${folder}/*.cpp ${src_dir}/${folder}/*.hpp)
  file(GLOB folders LIST_DIRECTORIES true RELATIVE ${src_dir} ${src_dir}/*)
  set(known ${TG_COMMON_FOLDERS})
  foreach(f ${folders})
    if(IS_DIRECTORY ${src_dir}/${f})
      list(APPEND known ${f})
    endif()
  endforeach()
  foreach(source ${sources})
    file(STRINGS ${source} includes REGEX "^#include \"[a-z_]+/")
    foreach(line ${includes})
      string(REGEX REPLACE "^#include \"([a-z_]+)/.*" "\\1" used "${line}")
      if(used STREQUAL folder OR NOT used IN_LIST known OR used IN_LIST ARG_USES)
        continue()
      endif()
      file(RELATIVE_PATH where ${PROJECT_SOURCE_DIR} ${source})
      message(FATAL_ERROR "${where}: ${line}: ${folder}/ does not use ${used}/ "
        "(the arrows are declared in host/CMakeLists.txt: add it to USES only if the "
        "architecture allows it)")
    endforeach()
  endforeach()
endfunction()

# tg_host_folder(NAME SOURCES file... [USES folder...] [LINKS target...]): the static library
# tg_host_NAME of src/NAME/, linked to the host folders it uses (tg::common for common/'s),
# its includes checked.
function(tg_host_folder name)
  cmake_parse_arguments(ARG "" "" "SOURCES;USES;LINKS" ${ARGN})
  list(TRANSFORM ARG_SOURCES PREPEND src/${name}/)
  add_library(tg_host_${name} STATIC ${ARG_SOURCES})
  target_include_directories(tg_host_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_compile_features(tg_host_${name} PUBLIC cxx_std_20)
  target_link_libraries(tg_host_${name} PUBLIC tg::common ${ARG_LINKS})
  foreach(used ${ARG_USES})
    if(NOT used IN_LIST TG_COMMON_FOLDERS)
      target_link_libraries(tg_host_${name} PUBLIC tg_host_${used})
    endif()
  endforeach()
  tg_check_folder_arrows(${CMAKE_CURRENT_SOURCE_DIR}/src ${name} USES ${ARG_USES})
endfunction()
