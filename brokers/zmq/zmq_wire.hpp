// SPDX-License-Identifier: AGPL-3.0-or-later
// The two frames Sluice's ZeroMQ edges exchange, besides the records themselves:
//   batch: [header "SLB2" + u64 sequence + u64 base] [records] ...   (sender → receiver)
//   ack:   ["SLA1" + u64 sequence]                                  (receiver → sender)
// A records frame packs records as u32 length (little-endian) + bytes each: one frame per batch
// costs ZeroMQ one message instead of one per record.
// The sequence is per sender connection, so the receiver can recognise a batch sent again. The base
// is the sender's oldest batch not acknowledged when it sent this one: everything before it was
// acknowledged, so the receiver can forget those sequences and drop a late copy of one of them.
// A header "SLB1" + u64 sequence (a sender waiting for each batch's acknowledgement) has base =
// sequence, and one record per frame.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::zmq_wire {

inline constexpr std::string_view kBatchTag = "SLB2";
inline constexpr std::string_view kSingleBatchTag = "SLB1";
inline constexpr std::string_view kAckTag = "SLA1";
inline constexpr size_t kFrameSize = 12;
inline constexpr size_t kBatchFrameSize = 20;

inline void put_u64(std::string& f, uint64_t v) {
    for (int i = 0; i < 8; ++i) f.push_back(static_cast<char>((v >> (8 * i)) & 0xff));  // little-endian
}

inline uint64_t get_u64(const unsigned char* p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return v;
}

inline std::string frame(std::string_view tag, uint64_t seq) {
    std::string f(tag);
    put_u64(f, seq);
    return f;
}

inline std::string batch_frame(uint64_t seq, uint64_t base) {
    std::string f(kBatchTag);
    put_u64(f, seq);
    put_u64(f, base);
    return f;
}

// The sequence of a frame carrying `tag`, or nothing if the frame is something else.
inline std::optional<uint64_t> parse(std::string_view tag, const void* data, size_t size) {
    if (size != kFrameSize || std::memcmp(data, tag.data(), 4) != 0) return std::nullopt;
    return get_u64(static_cast<const unsigned char*>(data) + 4);
}

struct BatchHeader {
    uint64_t seq = 0;
    uint64_t base = 0;
    bool packed = true;  // records frames (SLB2), not one record per frame (SLB1)
};

inline size_t packed_size(size_t record_bytes) { return 4 + record_bytes; }

// Writes one record at `out`; returns the end.
inline char* pack_record(char* out, std::string_view record) {
    const auto n = static_cast<uint32_t>(record.size());
    for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    std::memcpy(out + 4, record.data(), record.size());
    return out + 4 + record.size();
}

// Calls `each(record)` for every record of a records frame; false if the frame is cut short.
template <typename Each>
bool unpack_records(const void* data, size_t size, Each&& each) {
    const auto* p = static_cast<const unsigned char*>(data);
    size_t at = 0;
    while (at < size) {
        if (size - at < 4) return false;
        const uint32_t n = static_cast<uint32_t>(p[at]) | static_cast<uint32_t>(p[at + 1]) << 8 |
                           static_cast<uint32_t>(p[at + 2]) << 16 | static_cast<uint32_t>(p[at + 3]) << 24;
        at += 4;
        if (size - at < n) return false;
        each(std::string_view(reinterpret_cast<const char*>(p + at), n));
        at += n;
    }
    return true;
}

// A batch header of either version, or nothing if the frame is something else.
inline std::optional<BatchHeader> parse_batch(const void* data, size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    if (size == kBatchFrameSize && std::memcmp(p, kBatchTag.data(), 4) == 0) {
        const uint64_t seq = get_u64(p + 4), base = get_u64(p + 12);
        if (base > seq) return std::nullopt;
        return BatchHeader{seq, base, true};
    }
    if (auto seq = parse(kSingleBatchTag, data, size)) return BatchHeader{*seq, *seq, false};
    return std::nullopt;
}

}  // namespace sluice::zmq_wire
