// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The deduplicator's embedded TTL cache, in place of IntelMQ's Redis: the hashes seen and when each
// stops counting, held in memory and in an append-only file (cache_record.hpp) so they survive a
// restart. Promises:
//  - insert() is visible to contains() at once; it reaches the file in flush(), which appends and,
//    with `sync`, fdatasyncs. The deduplicator flushes once the batch's events are durable
//    downstream, so a hash is never on disk before its event (a redelivered batch would otherwise
//    drop its own events as duplicates); a failed flush forgets the batch's hashes in memory too.
//  - Loading drops expired entries; a file that is mostly expired records (or ends in a torn write)
//    is rewritten with the live ones (written beside it, fsynced, renamed over it).
//  - One process per file: a lock file (<file>.lock) held while the cache is open refuses a second
//    deduplicator on the same cache_path, which would otherwise lose the other's records.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include "key_table.hpp"

namespace sluice::dedup {

class HashCache {
 public:
    // Opens or creates `file` (and its folders) and loads the entries still live at `now_ms`.
    // Throws std::runtime_error naming the file and the reason.
    HashCache(std::filesystem::path file, int64_t now_ms);
    ~HashCache();
    HashCache(const HashCache&) = delete;
    HashCache& operator=(const HashCache&) = delete;

    // Whether `key` was inserted and has not expired at `now_ms`.
    bool contains(std::string_view key, int64_t now_ms) const;
    // Remembers `key` until `expiry_ms` (kNeverExpires: for ever); durable after the next flush.
    void insert(std::string_view key, int64_t expiry_ms);
    // Appends the records inserted since the last flush, fdatasynced when `sync`; compacts the file
    // when most of its records have expired. Throws std::runtime_error on an I/O error.
    void flush(int64_t now_ms, bool sync = true);

    // Entries in memory (live, or expired but not swept yet).
    size_t size() const { return entries_.size(); }
    // Records in the file, live or not.
    size_t file_records() const { return file_records_; }
    const std::filesystem::path& file() const { return file_; }
    // A problem the last flush survived (a failed compaction), once; empty when there was none.
    std::string take_warning() { return std::exchange(warning_, {}); }

 private:
    void load(int64_t now_ms);
    void sweep(int64_t now_ms);
    void rewrite();
    void open_for_append();
    void append(std::string_view bytes, bool sync);

    std::filesystem::path file_;
    int lock_fd_ = -1;
    int fd_ = -1;
    KeyTable entries_;
    std::string pending_;         // records inserted since the last flush
    size_t pending_records_ = 0;  // their count; their keys are forgotten if the flush fails
    size_t file_records_ = 0;
    size_t check_at_ = 0;  // file_records_ at which flush next looks for expired records
    bool needs_rewrite_ = false;
    std::string warning_;  // an append failed: rewrite the file from memory on the next flush
};

}  // namespace sluice::dedup
