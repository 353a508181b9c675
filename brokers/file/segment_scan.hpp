// SPDX-License-Identifier: AGPL-3.0-or-later
// Walks the records of one segment file from a known record boundary, in large reads, and finds
// records again after damaged bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "byte_buffer.hpp"
#include "sluice/brokers/file_system.hpp"

namespace sluice::fileq {

struct ScanResult {
    uint64_t end = 0;            // just past the last whole record: nothing valid starts in [end, to)
    uint64_t records = 0;        // whole records between `from` and `end`
    uint64_t damaged_bytes = 0;  // bytes between `from` and `end` skipped to reach the next record
};

// Scans [from, to) of `fd`. With `verify_crc`, a record must also pass its payload CRC (producers
// use this to find a torn tail); without, payloads are skipped unread (stats). Damaged bytes in the
// middle are stepped over to the next valid record.
ScanResult scan_segment(FileSystem& fs, int fd, uint64_t from, uint64_t to, bool verify_crc, ByteBuffer& buffer,
                        const std::filesystem::path& path);

// The framed size of the record at `offset` if a whole one that passes every check starts there.
std::optional<uint64_t> record_at(FileSystem& fs, int fd, uint64_t offset, uint64_t to, ByteBuffer& buffer,
                                  const std::filesystem::path& path);

// The first offset after `from` and before `to` where a whole record that passes every check starts.
std::optional<uint64_t> next_record_after(FileSystem& fs, int fd, uint64_t from, uint64_t to, ByteBuffer& buffer,
                                          const std::filesystem::path& path);

// The last record boundary at or before `offset` in a segment of `size` bytes, walking from its start.
// It stops at the first damaged bytes: a reader resuming there quarantines them and goes on, while
// a boundary found after them might lie in records appended after the segment was cut short.
uint64_t boundary_at_or_before(FileSystem& fs, int fd, uint64_t offset, uint64_t size, ByteBuffer& buffer,
                               const std::filesystem::path& path);

}  // namespace sluice::fileq
