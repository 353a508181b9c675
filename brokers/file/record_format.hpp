// SPDX-License-Identifier: AGPL-3.0-or-later
// How one record sits in a segment file:
//   [u32 magic][u32 payload length][u32 crc32 of payload][u32 crc32 of the 12 bytes before][payload]
// all little-endian. The magic and the header's own CRC let a reader find the next record again
// after damaged bytes (find_next_frame): without them a flipped length would hide every record
// behind it. A zero length is invalid so that a zero-filled tail (what some filesystems leave after
// a crash in the middle of extending a file) reads as damage, never as records.
#pragma once

#include <isa-l/crc.h>

#include <cstddef>
#include <cstdint>
#include <limits>

namespace sluice::fileq {

inline constexpr size_t kHeaderBytes = 16;
inline constexpr uint64_t kMaxPayloadBytes = std::numeric_limits<uint32_t>::max();
// "SLQ" and 0xF2. The high byte keeps it apart from the first word of the earlier format (a length,
// which would have to be a record of 4 GB to look like it).
inline constexpr uint32_t kRecordMagic = 0xF2514C53;

inline uint32_t load_le32(const char* p) {
    const auto* b = reinterpret_cast<const unsigned char*>(p);
    return uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24;
}

inline void store_le32(char* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// zlib's CRC-32 (the IEEE polynomial, reflected), computed by ISA-L.
inline uint32_t payload_crc(const char* data, size_t size) {
    return crc32_gzip_refl(0, reinterpret_cast<const unsigned char*>(data), size);
}

// Writes the header of `payload` at dst, which has room for kHeaderBytes.
inline void encode_header(char* dst, const char* payload, size_t size) {
    store_le32(dst, kRecordMagic);
    store_le32(dst + 4, static_cast<uint32_t>(size));
    store_le32(dst + 8, payload_crc(payload, size));
    store_le32(dst + 12, payload_crc(dst, 12));
}

enum class FrameStatus {
    ok,         // a whole record whose checks pass
    need_more,  // the bytes available end inside the header or the payload
    bad,        // wrong magic, header CRC, zero length or payload CRC: never a record
};

struct Frame {
    FrameStatus status;
    uint32_t length;  // payload length, known once the header is available and valid
};

// Looks at the record starting at `p`, of which `available` bytes are at hand.
inline Frame inspect_frame(const char* p, size_t available, bool verify_crc) {
    if (available >= 4 && load_le32(p) != kRecordMagic) return {FrameStatus::bad, 0};
    if (available < kHeaderBytes) return {FrameStatus::need_more, 0};
    if (payload_crc(p, 12) != load_le32(p + 12)) return {FrameStatus::bad, 0};
    const uint32_t length = load_le32(p + 4);
    if (length == 0) return {FrameStatus::bad, 0};
    if (available - kHeaderBytes < length) return {FrameStatus::need_more, length};
    if (verify_crc && payload_crc(p + kHeaderBytes, length) != load_le32(p + 8)) return {FrameStatus::bad, length};
    return {FrameStatus::ok, length};
}

}  // namespace sluice::fileq
