# SPDX-License-Identifier: AGPL-3.0-or-later
# sluice_add_test(<name> SOURCES <file>... [LIBRARIES <target>...] [LABEL unit|integration|crash])
# One doctest executable, its cases discovered into ctest. Tests run from the repository root, so
# they can read conf/ and ../shared; SLUICE_BUILD_DIR and SLUICE_PLUGIN_DIR tell them where the
# build put its binaries.
function(sluice_add_test name)
  if(NOT SLUICE_BUILD_TESTS)
    return()
  endif()
  # SERIAL: the test runs alone (ctest RUN_SERIAL), for the few that start several servers at
  # once and would crawl next to another such test on a 2-core machine.
  cmake_parse_arguments(ARG "SERIAL" "LABEL" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  add_executable(${name} ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/tests/support/doctest_main.cpp)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_link_libraries(${name} PRIVATE doctest::doctest sluice_test_support sluice_warnings ${ARG_LIBRARIES})
  set(serial FALSE)
  if(ARG_SERIAL)
    set(serial TRUE)
  endif()
  doctest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} PROPERTIES LABELS ${ARG_LABEL} RUN_SERIAL
                         ${serial})
endfunction()
