// SPDX-License-Identifier: AGPL-3.0-or-later
// The layout of a queue directory: segment files seg-<20-digit sequence>.log, appended to by the
// producers in sequence order, plus producer.lock, consumer.lock, cursor, synced, and quarantine/ for
// bytes that failed their checks (one file per damaged span, seg-<sequence>-at-<offset>.bin).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/brokers/file_system.hpp"

namespace sluice::fileq {

std::string segment_file_name(uint64_t sequence);
std::optional<uint64_t> parse_segment_file_name(std::string_view name);
inline std::filesystem::path segment_path(const std::filesystem::path& dir, uint64_t sequence) {
    return dir / segment_file_name(sequence);
}

// Always read from the directory, never cached: the consumer deletes segments and other producers
// create them. Sorted by sequence; a missing directory has no segments.
std::vector<uint64_t> list_segments(FileSystem& fs, const std::filesystem::path& dir);

// The first segment after `sequence`, if one exists. Its existence proves `sequence` is final: only
// the newest segment is ever appended to.
std::optional<uint64_t> next_segment_after(FileSystem& fs, const std::filesystem::path& dir, uint64_t sequence);

inline std::filesystem::path producer_lock_path(const std::filesystem::path& dir) { return dir / "producer.lock"; }
inline std::filesystem::path consumer_lock_path(const std::filesystem::path& dir) { return dir / "consumer.lock"; }
inline std::filesystem::path cursor_path(const std::filesystem::path& dir) { return dir / "cursor"; }
inline std::filesystem::path synced_path(const std::filesystem::path& dir) { return dir / "synced"; }
inline std::filesystem::path quarantine_dir(const std::filesystem::path& dir) { return dir / "quarantine"; }
std::filesystem::path quarantine_path(const std::filesystem::path& dir, uint64_t sequence, uint64_t offset);

}  // namespace sluice::fileq
