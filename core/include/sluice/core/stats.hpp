// SPDX-License-Identifier: AGPL-3.0-or-later
// A host's counters, published as a small JSON file that sluicectl reads while the host runs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace sluice {

struct BotStats {
    uint64_t received = 0;                 // input messages taken
    uint64_t processed = 0;                // input messages acknowledged
    uint64_t in_flight = 0;                // taken, not yet acknowledged (the batch being worked on)
    std::map<std::string, uint64_t> sent;  // per path
    uint64_t failed = 0;                   // messages or records given up
    uint64_t dumped = 0;                   // entries written to the dump
    uint64_t retried = 0;
    uint64_t disk_full_waits = 0;           // spells of waiting for disk space (state "disk full")
    uint64_t collected = 0;                 // collect runs
    uint64_t values_repaired = 0;           // values made valid UTF-8 by the harmonization (utf8.hpp)
    std::map<std::string, int64_t> custom;  // the bot's own counters
    std::string last_message;               // time of the last message, ISO-8601
    std::string state = "running";          // running, disk full, broker error, stopped, failed
    std::string problem;                    // with "broker error": what the broker link says

    uint64_t sent_total() const;
    // Adds another host's counters of the same bot (a host before a restart).
    void add(const BotStats& other);
    std::string to_json(const std::string& bot, long pid) const;
    // Writes atomically (temporary file + rename), so a reader never sees half a file.
    void publish(const std::filesystem::path& file, const std::string& bot, long pid) const;
    // Reads a published file; false when missing or unreadable.
    static bool read(const std::filesystem::path& file, BotStats& out);
};

// Replaces `file` with `content`, written beside it and renamed, so that a reader never sees half
// of it. Best effort: a failure leaves the old file (counters never stop a bot).
void publish_file(const std::filesystem::path& file, const std::string& content);

}  // namespace sluice
