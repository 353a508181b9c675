// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The file transport: a queue is a directory of append-only segment files, shared by any number of
// producer processes and read by one consumer. Needs no server; survives kill -9 of either side and
// a power cut without losing a record whose append returned (see core/queue.hpp for the
// at-least-once promise). Bytes that fail their checks (a flipped bit on the disk, a write torn by
// a crash) are copied to quarantine/ in the queue's folder and reported through `log`; every
// record around them is still delivered.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "sluice/core/log.hpp"
#include "sluice/core/queue.hpp"

namespace sluice {

namespace fileq {
class FileSystem;
}

struct FileQueueOptions {
    // A new segment file is started once the newest one has grown to this size; the consumer can only
    // give disk space back a whole segment at a time. On a file system smaller than 64 segments the
    // producer makes them smaller (a 64th of its size, at least 64 KiB).
    uint64_t segment_bytes = 16 << 20;
    // Back-pressure bound: append() blocks while more than this many bytes (framing included) are
    // waiting for the consumer's ack. Disk use stays below about max_bytes + segment_bytes + one batch.
    uint64_t max_bytes = 1ull << 30;
    // How often a waiting consumer looks for new records and a blocked producer for free room.
    std::chrono::milliseconds poll_interval{5};
    // Receives what an operator must see: damaged bytes moved to quarantine (error), a torn tail
    // cut, a cursor found off a record boundary (warning). Unset: written to stderr.
    std::function<void(LogLevel, const std::string&)> log;
    // Appends wait while the file system holding the queue has less free space than the reserve:
    // the smaller of reserve_bytes and reserve_percent of its size. Consumers need no new blocks to
    // acknowledge, and under pressure they give a drained segment back, so space comes back. Below
    // the reserve a queue that is all but empty still takes 64 KiB at a time from the upper three
    // quarters of it, so that a bot in the middle of a pipeline can always pass its batch on.
    uint64_t reserve_bytes = 256ull << 20;
    unsigned reserve_percent = 5;
    // Called with true when an append starts waiting for disk space, with false when it goes on.
    std::function<void(bool)> on_disk_full;
    // Where the queue's file operations go; unset: the system's. The power-loss test sets a
    // simulated disk here.
    fileq::FileSystem* file_system = nullptr;
};

// Creates `dir` if needed. Any number of producers, in any processes, may append to one queue; their
// appends are serialized through a lock file. Like the consumer, one object is for one thread at a time.
std::unique_ptr<QueueProducer> open_file_producer(const std::filesystem::path& dir, FileQueueOptions options = {});

// Creates `dir` if needed. Throws QueueError if another consumer (in any process) holds the queue.
std::unique_ptr<QueueConsumer> open_file_consumer(const std::filesystem::path& dir, FileQueueOptions options = {});

// Records not yet acknowledged and bytes of segment files on disk. Safe while producers and the
// consumer run (the answer may be a moment old); a directory that does not exist is an empty queue.
QueueStats file_queue_stats(const std::filesystem::path& dir);

// Bytes (framing included) not yet acknowledged. Unlike file_queue_stats it reads only the directory
// and the saved cursor, never the records, so it can be asked every few milliseconds while a host
// drains a queue of gigabytes; zero exactly when no record is waiting.
uint64_t file_queue_backlog_bytes(const std::filesystem::path& dir);

// Bytes moved to the queue's quarantine/ folder because they failed their checks, as kept on disk
// (the files stay until an operator removes them): sluice_queue_damaged_bytes_total.
uint64_t file_queue_damaged_bytes(const std::filesystem::path& dir);

}  // namespace sluice
