// SPDX-License-Identifier: AGPL-3.0-or-later
// Where the consumer stands: the record boundary after everything it has acknowledged.
#pragma once

#include <compare>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "unique_fd.hpp"

namespace sluice::fileq {

struct Position {
    uint64_t segment = 0;  // 0: no segment yet, start at the oldest one that appears
    uint64_t offset = 0;
    auto operator<=>(const Position&) const = default;
};

// The consumer's own handle on dir/cursor. The file holds two fixed-size slots, written in turn;
// each carries a counter and a CRC, so a write torn in one slot leaves the other one readable.
class CursorFile {
 public:
    explicit CursorFile(const std::filesystem::path& dir);
    std::optional<Position> load();
    void store(const Position& position);

 private:
    std::filesystem::path path_;
    UniqueFd fd_;
    uint64_t counter_ = 0;
};

// Reads the cursor without owning it (producers for back-pressure, stats); nullopt if never written.
std::optional<Position> read_saved_cursor(const std::filesystem::path& dir);

// Where reading resumes: the saved position if its segment still exists, else the start of the oldest
// segment. A saved segment can be gone after an OS crash rolled the unsynced cursor back while its
// deletion had reached the disk; everything before the oldest remaining segment was acknowledged.
Position resume_position(const std::optional<Position>& saved, const std::vector<uint64_t>& segments);

}  // namespace sluice::fileq
