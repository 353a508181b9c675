// SPDX-License-Identifier: AGPL-3.0-or-later
#include "segment_scan.hpp"

#include <algorithm>

#include "file_io.hpp"
#include "record_format.hpp"

namespace sluice::fileq {

namespace {
constexpr uint64_t kChunkBytes = 1 << 20;
}

ScanResult scan_segment(int fd, uint64_t from, uint64_t to, bool verify_crc, ByteBuffer& buffer,
                        const std::filesystem::path& path) {
    ScanResult result{from, 0};
    uint64_t want = kChunkBytes;  // more than a chunk when one record is larger than that
    while (result.end < to) {
        const uint64_t base = result.end;
        const uint64_t span = std::min(to - base, want);
        buffer.reserve(span);
        const size_t got = pread_full(fd, buffer.data(), span, base, path);
        if (got < span) to = base + got;  // the file shrank under us; judge only what is there
        want = kChunkBytes;
        size_t pos = 0;
        for (;;) {
            const Frame frame = inspect_frame(buffer.data() + pos, got - pos, verify_crc);
            if (frame.status == FrameStatus::ok) {
                pos += kHeaderBytes + frame.length;
                ++result.records;
                continue;
            }
            result.end = base + pos;
            if (frame.status == FrameStatus::bad) return result;
            // need_more: the record either runs past the end of the file (a torn tail) or past this chunk.
            const uint64_t record_end = result.end + kHeaderBytes + frame.length;
            if (result.end + kHeaderBytes > to || record_end > to) return result;
            if (frame.length != 0) {
                if (!verify_crc) {
                    // Only the framing matters here: jump over the payload instead of reading it.
                    result.end = record_end;
                    ++result.records;
                } else {
                    want = std::max(kChunkBytes, kHeaderBytes + frame.length);
                }
            }
            break;
        }
    }
    return result;
}

}  // namespace sluice::fileq
