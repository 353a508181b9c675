# SPDX-License-Identifier: MIT
# sluice_add_bot(<name> SOURCES <file>... [LIBRARIES <target>...])
# Builds <name>.so, a Sluice bot plugin. In this tree it lands in build/plugins/, where sluice-host
# looks first; outside it lands in the caller's binary dir (point the config's plugin_path there).
function(sluice_add_bot name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "sluice_add_bot(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES PREFIX "" OUTPUT_NAME ${name} CXX_VISIBILITY_PRESET hidden
                                           VISIBILITY_INLINES_HIDDEN ON)
  if(DEFINED SLUICE_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${SLUICE_PLUGIN_OUTPUT_DIR})
  endif()
  target_link_libraries(${name} PRIVATE Sluice::sdk ${ARG_LIBRARIES})
  if(TARGET sluice_warnings)
    target_link_libraries(${name} PRIVATE sluice_warnings)
  endif()
  # A bot must not depend on host symbols: every host service comes through the function table.
  if(NOT APPLE)
    target_link_options(${name} PRIVATE "LINKER:--no-undefined")
  endif()
endfunction()
