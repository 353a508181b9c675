// SPDX-License-Identifier: AGPL-3.0-or-later
// The "Last-Modified:" date of a Spamhaus list ("Mon, 14 Sep 2015 04:39:22 GMT"), read as
// dateutil.parser.parse reads that shape, written as ISO 8601 in UTC.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::spamhaus {

// "[Weekday,] DD Mon YYYY HH:MM[:SS] [GMT|UTC|Z|+HHMM|-HH:MM]" (month names in English, any case;
// no zone means UTC) -> "YYYY-MM-DDTHH:MM:SS+00:00". Nothing when the text has another shape or
// names an impossible date.
std::optional<std::string> http_date_to_iso(std::string_view text);

}  // namespace sluice::spamhaus
