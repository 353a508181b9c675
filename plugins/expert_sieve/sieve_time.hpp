// SPDX-License-Identifier: AGPL-3.0-or-later
// Times in sieve rules and events, as microseconds since 1970 UTC: the operands of :before/:after
// (an absolute date and time, or a span back from now), the spans of `+=`/`-=`, and the ISO text
// IntelMQ writes back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "iso_time.hpp"

namespace sluice::sieve {

// The shared readers (plugins/shared/time): IntelMQ's relative spans and ISO 8601 dates.
using bot_time::Micros;
using bot_time::parse_datetime;
using bot_time::parse_relative;

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
