// SPDX-License-Identifier: AGPL-3.0-or-later
// The times expert_filter works with: not_before/not_after as IntelMQ reads them (a relative span
// such as "2 days", or an absolute date), and event times, all as microseconds since 1970 UTC.
#pragma once

#include "iso_time.hpp"

namespace sluice::filter {
using bot_time::mentions_timespan;
using bot_time::Micros;
using bot_time::parse_datetime;
using bot_time::parse_relative;
}  // namespace sluice::filter
