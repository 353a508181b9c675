// SPDX-License-Identifier: AGPL-3.0-or-later
// The two frames Sluice's ZeroMQ edges exchange, besides the records themselves:
//   batch: [header "SLB1" + u64 sequence] [record] [record] ...   (sender → receiver)
//   ack:   ["SLA1" + u64 sequence]                                 (receiver → sender)
// The sequence is per sender connection, so the receiver can recognise a batch sent again.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::zmq_wire {

inline constexpr std::string_view kBatchTag = "SLB1";
inline constexpr std::string_view kAckTag = "SLA1";
inline constexpr size_t kFrameSize = 12;

inline std::string frame(std::string_view tag, uint64_t seq) {
    std::string f(tag);
    for (int i = 0; i < 8; ++i) f.push_back(static_cast<char>((seq >> (8 * i)) & 0xff));  // little-endian
    return f;
}

// The sequence of a frame carrying `tag`, or nothing if the frame is something else.
inline std::optional<uint64_t> parse(std::string_view tag, const void* data, size_t size) {
    if (size != kFrameSize || std::memcmp(data, tag.data(), 4) != 0) return std::nullopt;
    const auto* p = static_cast<const unsigned char*>(data) + 4;
    uint64_t seq = 0;
    for (int i = 0; i < 8; ++i) seq |= static_cast<uint64_t>(p[i]) << (8 * i);
    return seq;
}

}  // namespace sluice::zmq_wire
