// SPDX-License-Identifier: AGPL-3.0-or-later
// Walks the records of one segment file from a known record boundary, in large reads.
#pragma once

#include <cstdint>
#include <filesystem>

#include "byte_buffer.hpp"

namespace sluice::fileq {

struct ScanResult {
    uint64_t end = 0;      // just past the last whole record: where the valid part of the file stops
    uint64_t records = 0;  // whole records between `from` and `end`
};

// Scans [from, to) of `fd`. With `verify_crc`, a record must also pass its CRC (producers use this to
// find a torn tail); without, only the framing is followed and payloads are skipped unread (stats).
ScanResult scan_segment(int fd, uint64_t from, uint64_t to, bool verify_crc, ByteBuffer& buffer,
                        const std::filesystem::path& path);

}  // namespace sluice::fileq
