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
# Power cuts at every change the queue makes to a simulated disk (unit/crash_disk.hpp).
sluice_add_test(test_file_queue_power_loss
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/unit/test_file_queue_power_loss.cpp ${CMAKE_CURRENT_LIST_DIR}/unit/crash_disk.cpp
  LIBRARIES sluice_broker_file
  LABEL crash)
# A full disk (the simulated one, with a capacity): appends wait, nothing is lost or written twice.
sluice_add_test(test_file_queue_disk_full
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/unit/test_file_queue_disk_full.cpp ${CMAKE_CURRENT_LIST_DIR}/unit/crash_disk.cpp
  LIBRARIES sluice_broker_file
  LABEL unit)
