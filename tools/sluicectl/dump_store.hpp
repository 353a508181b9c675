// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Reading and editing a bot's dump (var/dump/<bot>.jsonl, written by core's DumpFile) for
// `sluicectl dump`. Entries are numbered by their line, from 1, as intelmqdump numbers them.
// An edit rewrites the whole file crash-safely (temporary file, fsync, rename, fsync of the folder)
// while holding the dump's lock, <dump>.lock, which the host also takes around every append: an
// entry appended while sluicectl edits waits and lands in the new file instead of being lost.
#pragma once

#include <cstddef>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace sluice::ctl {

struct DumpEntry {
    size_t id = 0;         // line number, from 1
    std::string line;      // the line as stored, without its newline
    bool damaged = false;  // not a dump entry (a line torn by a crash, or edited by hand badly)
    std::string time, bot_id, source_queue, reason;
    std::string message;  // the message's JSON text, or the failed record itself
    bool message_is_json = false;
};

// All entries of a dump file; empty when the file does not exist. Throws std::runtime_error.
std::vector<DumpEntry> read_dump(const std::filesystem::path& file);

// Holds the dump's lock (flock on <dump>.lock) while alive.
class DumpLock {
 public:
    explicit DumpLock(const std::filesystem::path& dump_file);
    ~DumpLock();
    DumpLock(const DumpLock&) = delete;
    DumpLock& operator=(const DumpLock&) = delete;

 private:
    int fd_ = -1;
};

// Replaces the dump with `entries` (in order). Call with the DumpLock held. An interruption at
// any point leaves either the old file or the new one, whole. Throws std::runtime_error.
void rewrite_dump(const std::filesystem::path& file, const std::vector<DumpEntry>& entries);

// Parses "3", "1,4", "2-5", "all" (several arguments allowed) into line numbers. Throws
// std::invalid_argument naming the bad part. `all` yields every id in 1..count.
std::set<size_t> parse_entry_ids(const std::vector<std::string>& args, size_t count);

}  // namespace sluice::ctl
