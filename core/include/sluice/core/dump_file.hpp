// SPDX-License-Identifier: AGPL-3.0-or-later
//
// A bot's dead letters: an append-only JSON-lines file. Entries are buffered during a batch and
// written with one write and one fdatasync before the batch is acknowledged, so a dumped message
// is never lost; a write torn by a crash can only damage its own last line, never earlier entries.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>

namespace sluice {

class DumpFile {
 public:
    explicit DumpFile(std::filesystem::path file) : file_(std::move(file)) {}
    ~DumpFile();
    DumpFile(const DumpFile&) = delete;
    DumpFile& operator=(const DumpFile&) = delete;

    // Queues one entry: `message` is the dumped message's JSON (or the failed record as a string).
    void add(std::string_view bot, std::string_view source_queue, std::string_view reason, std::string_view message,
             bool message_is_json);
    // Writes what was added and makes it durable. Throws std::runtime_error on I/O failure.
    void commit();
    bool pending() const { return !buffer_.empty(); }
    // Entries added since mark() can be taken back (a retried message's failed records).
    size_t mark() const { return buffer_.size(); }
    void rollback(size_t mark) { buffer_.resize(std::min(mark, buffer_.size())); }
    const std::filesystem::path& path() const { return file_; }

 private:
    void open();
    std::filesystem::path file_;
    int fd_ = -1;
    std::string buffer_;
};

}  // namespace sluice
