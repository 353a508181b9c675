// SPDX-License-Identifier: AGPL-3.0-or-later
#include "feed.hpp"

#include <array>
#include <ctime>
#include <stdexcept>

#include "sluice/core/message.hpp"

namespace sluice::bench {
namespace {

// SplitMix64: tiny, fast, and the same sequence on every platform (std:: distributions are not).
class Rng {
 public:
    explicit Rng(uint64_t state) : state_(state) {}
    uint64_t next() {
        uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t n) { return next() % n; }

 private:
    uint64_t state_;
};

constexpr std::array<std::string_view, 8> kTypes = {
    "malware-distribution", "c2-server", "phishing", "scanner", "spam", "brute-force", "infected-system", "ddos"};
constexpr std::array<std::string_view, 6> kTlds = {"com", "net", "org", "info", "example", "test"};
constexpr std::array<std::string_view, 6> kSchemes = {"http", "https", "http", "http", "https", "http"};
constexpr std::array<std::string_view, 8> kDirs = {"wp-content", "uploads", "bins",   "static",
                                                   "dl",         "files",   "update", "cdn-cache"};
constexpr std::array<std::string_view, 6> kExts = {".exe", ".php", ".bin", ".sh", ".apk", ".zip"};

void append_token(Rng& rng, size_t length, std::string& out) {
    static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (size_t i = 0; i < length; ++i) out += alphabet[rng.below(alphabet.size())];
}

std::string iso_time(int64_t epoch) {
    const std::time_t t = static_cast<std::time_t>(epoch);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    return buf;
}

void must_set(Message& m, std::string_view key, std::string_view value) {
    std::string why;
    if (m.set(key, value, true, false, &why) != SetResult::ok)
        throw std::runtime_error("sluice-bench: cannot set " + std::string(key) + " = '" + std::string(value) +
                                 "': " + why);
}

void set_feed_fields(Message& m) {
    must_set(m, "feed.name", "Sluice bench feed");
    must_set(m, "feed.provider", "sluice-bench");
    must_set(m, "feed.accuracy", "100");
    must_set(m, "time.observation", "2026-01-01T00:00:00+00:00");
}

}  // namespace

FeedRecord Feed::record(uint64_t index) const {
    Rng rng(seed_ * 0xD1B54A32D192ED03ull ^ (index + 1) * 0x9E3779B97F4A7C15ull);
    FeedRecord r;
    // 2025-01-01T00:00:00Z plus a few seconds per record: a feed in time order.
    r.time = iso_time(1735689600 + static_cast<int64_t>(index) * 3 + static_cast<int64_t>(rng.below(3)));
    r.ip = std::to_string(11 + rng.below(212)) + "." + std::to_string(rng.below(256)) + "." +
           std::to_string(rng.below(256)) + "." + std::to_string(1 + rng.below(254));
    r.fqdn = "host-";
    append_token(rng, 8, r.fqdn);
    r.fqdn += '.';
    append_token(rng, 10, r.fqdn);
    r.fqdn += '.';
    r.fqdn += kTlds[rng.below(kTlds.size())];
    r.url = std::string(kSchemes[rng.below(kSchemes.size())]) + "://" + r.fqdn + "/" +
            std::string(kDirs[rng.below(kDirs.size())]) + "/";
    append_token(rng, 12, r.url);
    r.url += '/';
    append_token(rng, 10, r.url);
    r.url += kExts[rng.below(kExts.size())];
    r.url += "?id=" + std::to_string(index);
    r.type = kTypes[rng.below(kTypes.size())];
    return r;
}

std::string Feed::line(uint64_t index) const {
    const FeedRecord r = record(index);
    std::string s;
    s.reserve(200);
    s.append(r.time).append(1, ',').append(r.ip).append(1, ',').append(r.fqdn).append(1, ',');
    s.append(r.url).append(1, ',').append(r.type).append(1, '\n');
    return s;
}

void Feed::append_lines(uint64_t first, uint64_t count, std::string& out) const {
    for (uint64_t i = first; i < first + count; ++i) out += line(i);
}

std::string make_report_json(const Harmonization& h, std::string_view csv_text) {
    Message report(MessageType::report, h);
    set_feed_fields(report);
    must_set(report, "raw", csv_text);
    return report.json();
}

std::string make_event_json(const Harmonization& h, const Feed& feed, uint64_t index) {
    const FeedRecord r = feed.record(index);
    const std::string raw = feed.line(index);  // parser_csv's raw: the row with the report's line ending
    Message event(MessageType::event, h);
    set_feed_fields(event);
    must_set(event, "time.source", r.time);
    must_set(event, "source.ip", r.ip);
    must_set(event, "source.fqdn", r.fqdn);
    must_set(event, "source.url", r.url);
    must_set(event, "classification.type", r.type);
    must_set(event, "raw", raw);
    return event.json();
}

}  // namespace sluice::bench
