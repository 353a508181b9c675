# SPDX-License-Identifier: AGPL-3.0-or-later
# The durable file queue (brokers/file): behaviour, then kill -9 at random moments.
sluice_add_test(test_file_queue
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/unit/test_file_queue.cpp
  LIBRARIES sluice_broker_file Threads::Threads
  LABEL unit)
sluice_add_test(test_file_queue_crash
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/integration/test_file_queue_crash.cpp
  LIBRARIES sluice_broker_file
  LABEL crash)
