// SPDX-License-Identifier: AGPL-3.0-or-later
// Times as IntelMQ's bots read them in their parameters and rules — a relative span such as
// "2 days" (intelmq.lib.utils.parse_relative) or an ISO 8601 date and time — as microseconds since
// 1970 UTC. Shared by expert_filter and expert_sieve.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::bot_time {

using Micros = int64_t;

// IntelMQ decides "relative" when the text contains a unit name (second, minute, hour, day, week,
// month, year) anywhere (intelmq.lib.utils.TIMESPANS).
bool mentions_timespan(std::string_view text);

// IntelMQ's parse_relative: "<number> <unit>[s]" with month = 30 days and year = 365 days. Nothing
// when the text does not have that shape.
std::optional<Micros> parse_relative(std::string_view text);

// An ISO 8601-like date and time: "YYYY-MM-DD", optionally followed by 'T' or ' ' and
// "HH:MM[:SS[.ffffff]]", optionally followed by a zone ("Z", "UTC", "GMT", "+HH:MM", "+HHMM", "+HH").
// No zone means UTC. Nothing when the text does not parse or names an impossible date.
std::optional<Micros> parse_datetime(std::string_view text);

}  // namespace sluice::bot_time
