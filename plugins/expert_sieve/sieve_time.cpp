// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sieve_time.hpp"

#include <chrono>
#include <cstdio>

namespace sluice::sieve {
namespace {

constexpr int64_t kSecond = 1'000'000;

// The date of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

}  // namespace

std::optional<TimeSpec> parse_time_spec(std::string_view text) {
    if (const auto t = parse_datetime(text)) return TimeSpec{false, *t};
    if (const auto span = parse_relative(text)) return TimeSpec{true, *span};
    return std::nullopt;
}

std::string format_utc(Micros t) {
    int64_t secs = t / kSecond;
    int64_t micros = t % kSecond;
    if (micros < 0) {
        micros += kSecond;
        --secs;
    }
    int64_t days = secs / 86400;
    int64_t rest = secs % 86400;
    if (rest < 0) {
        rest += 86400;
        --days;
    }
    int64_t y = 0;
    unsigned m = 0, d = 0;
    civil_from_days(days, y, m, d);
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d", static_cast<long long>(y), m, d,
                          static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
    std::string out(buf, static_cast<size_t>(n));
    if (micros != 0) {
        n = std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(micros));
        out.append(buf, static_cast<size_t>(n));
    }
    return out + "+00:00";
}

Micros now_micros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace sluice::sieve
