// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Taking a received byte stream apart into messages: IntelMQ's TCP framing (a 4-byte big-endian
// length, then that many bytes) or records ended by a separator. Incomplete tails stay in the
// buffer for when the rest arrives.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::collector_tcp {

// A length above the limit: the stream is not IntelMQ framing (a plain-text sender, say).
struct FramingError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Moves up to `max_count` complete length-prefixed messages from the front of `buffer` to `out`;
// returns how many. Throws FramingError when a length exceeds `max_size`.
size_t take_frames(std::string& buffer, size_t max_size, size_t max_count, std::vector<std::string>& out);

// Moves up to `max_count` complete records (each ended by `separator`, which is dropped) from the
// front of `buffer` to `out`; returns how many. Throws FramingError when `buffer` holds more than
// `max_size` bytes without a separator.
size_t take_records(std::string& buffer, std::string_view separator, size_t max_size, size_t max_count,
                    std::vector<std::string>& out);

}  // namespace sluice::collector_tcp
