// SPDX-License-Identifier: AGPL-3.0-or-later
// Positions in a queue, and the small files that keep them:
//  - dir/cursor: where the consumer stands, the record boundary after everything it acknowledged;
//  - dir/synced: how far the segments are known to be on disk (fdatasync'ed), raised by whoever
//    synced. Bytes before it that fail their checks are damage; only bytes after it may be a tail
//    torn by a crash.
// Each file holds two fixed-size slots, written in turn; each carries a counter and a CRC, so a write
// torn in one slot leaves the other one readable. Neither is fsynced: a lost update only moves the
// position back, which re-delivers (cursor) or judges damage more leniently (synced).
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

// A saved position and where the record that ends there starts, so that a reader can check that
// the position is a record boundary of the segment as it is now (record_start == offset: none).
struct SavedPosition {
    Position at;
    uint64_t record_start = 0;
};

class PositionFile {
 public:
    enum class Kind { cursor, synced };
    PositionFile(FileSystem& fs, const std::filesystem::path& dir, Kind kind);
    std::optional<SavedPosition> load();
    // Overwrites the older slot. Only for a file with one writer (the cursor).
    void store(const SavedPosition& position);
    // Reads the newest slot afresh and writes `position` only if it is further. For a file several
    // processes write (synced): the caller holds dir/producer.lock. Returns the position now saved.
    Position raise(const Position& position);

 private:
    FileSystem& fs_;
    std::filesystem::path path_;
    uint32_t magic_;
    UniqueFd fd_;
    uint64_t counter_ = 0;
};

// How far segment `sequence` is known to be on disk, by the synced mark: all of it once the mark is
// in a later segment (a producer syncs a segment whole before starting the next), none before.
uint64_t synced_end(PositionFile& synced, uint64_t sequence);

// Reads a position file without owning it (producers for back-pressure, stats); nullopt if never
// written or missing.
std::optional<SavedPosition> read_position_file(FileSystem& fs, const std::filesystem::path& dir,
                                                PositionFile::Kind kind);

// Where reading resumes: the saved position if its segment still exists, else the start of the oldest
// segment. A saved segment can be gone after an OS crash rolled the unsynced cursor back while its
// deletion had reached the disk; everything before the oldest remaining segment was acknowledged.
Position resume_position(const std::optional<Position>& saved, const std::vector<uint64_t>& segments);

}  // namespace sluice::fileq
