// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The deduplicator's cache file format, header-only so the conformance runner can preseed a cache
// (tests/conformance/cache_preseed.cpp) with exactly what the bot reads.
//
//   sluice-dedup-cache 1\n                    the header: the format and its version
//   <key> <expiry>\n                          one record per line, appended in time order
//
// <key> is the message hash (64 hex digits; any text without spaces or newlines is accepted),
// <expiry> the Unix time in milliseconds at which the entry stops counting, or 0 for never (IntelMQ's
// redis_cache_ttl = 0). A key appearing more than once holds its last record. A line without its
// newline is a write torn by a crash and is ignored.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::dedup {

inline constexpr std::string_view kCacheHeader = "sluice-dedup-cache 1\n";
inline constexpr int64_t kNeverExpires = 0;

inline void append_record(std::string& out, std::string_view key, int64_t expiry_ms) {
    out.append(key);
    out += ' ';
    out += std::to_string(expiry_ms);
    out += '\n';
}

// One line, without its newline. False when it is not a record.
inline bool parse_record(std::string_view line, std::string_view& key, int64_t& expiry_ms) {
    const size_t space = line.find(' ');
    if (space == 0 || space == std::string_view::npos) return false;
    key = line.substr(0, space);
    const std::string_view digits = line.substr(space + 1);
    if (digits.empty() || digits.front() == '-') return false;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), expiry_ms);
    return ec == std::errc() && end == digits.data() + digits.size();
}

}  // namespace sluice::dedup
