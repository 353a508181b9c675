// SPDX-License-Identifier: AGPL-3.0-or-later
// Times in sieve rules and events, as microseconds since 1970 UTC: the operands of :before/:after
// (an absolute date and time, or a span back from now), the spans of `+=`/`-=`, and the ISO text
// IntelMQ writes back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::sieve {

using Micros = int64_t;

// IntelMQ's parse_relative: "<digits> <unit>[s]", unit one of second, minute, hour, day, week,
// month (30 days), year (365 days). Nothing when the text does not have that shape.
std::optional<Micros> parse_relative(std::string_view text);

// An ISO 8601 date, optionally with a time: "YYYY-MM-DD", then 'T' or ' ' and "HH:MM[:SS[.ffffff]]",
// then an optional zone ("Z", "+HH:MM", "+HHMM", "+HH"). No zone means UTC, as pendulum assumes.
std::optional<Micros> parse_datetime(std::string_view text);

// The operand of :before / :after: absolute when it parses as a date, else relative to now.
struct TimeSpec {
    bool relative = false;
    Micros value = 0;  // the instant, or the span back from now
};
std::optional<TimeSpec> parse_time_spec(std::string_view text);

// Python's datetime.isoformat() of a UTC instant: "2017-01-01T01:00:00+00:00", with ".ffffff" when
// the microseconds are not zero.
std::string format_utc(Micros t);

Micros now_micros();

}  // namespace sluice::sieve
