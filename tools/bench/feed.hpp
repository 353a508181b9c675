// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The synthetic feed of sluice-bench: CSV records (time, IP, FQDN, URL, classification) of about
// 180 bytes, the same bytes on every run for a given seed. Record i depends only on (seed, i), so any
// record can be made on its own (the latency probe uses indices beyond the bulk feed's).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/core/harmonization.hpp"

namespace sluice::bench {

// The parser_csv `columns` that read a feed line.
inline constexpr std::string_view feed_columns_toml =
    R"(["time.source", "source.ip", "source.fqdn", "source.url", "classification.type"])";

struct FeedRecord {
    std::string time;  // ISO 8601, UTC
    std::string ip;
    std::string fqdn;
    std::string url;
    std::string type;  // an IntelMQ classification.type
};

class Feed {
 public:
    explicit Feed(uint64_t seed) : seed_(seed) {}
    FeedRecord record(uint64_t index) const;
    // The CSV line of record `index`, with its "\n".
    std::string line(uint64_t index) const;
    // Lines [first, first + count) appended to `out`.
    void append_lines(uint64_t first, uint64_t count, std::string& out) const;

 private:
    uint64_t seed_;
};

// A Report as collector_file sends it: `raw` = base64(csv_text), feed.*, time.observation.
std::string make_report_json(const Harmonization& h, std::string_view csv_text);
// An Event as parser_csv makes it from record `index` (feed.*, time.*, source.*, classification.type,
// raw), in IntelMQ's wire JSON: about 500 bytes.
std::string make_event_json(const Harmonization& h, const Feed& feed, uint64_t index);

}  // namespace sluice::bench
