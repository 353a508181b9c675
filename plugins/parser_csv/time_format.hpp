// SPDX-License-Identifier: AGPL-3.0-or-later
//
// IntelMQ's `time_format` parameter (intelmq/lib/datatypes.py TimeFormat, harmonization.py
// DateTime.TIME_CONVERSIONS) for time.source and time.destination columns:
//   null, "", "fuzzy", "utc_isoformat"  the text goes unchanged to the host's DateTime sanitizer
//                                       (ISO 8601 and "YYYY-MM-DD HH:MM:SS" with an optional zone;
//                                       IntelMQ's fuzzy dateutil parser is not reproduced)
//   "timestamp"                         seconds since the epoch, fractions allowed
//   "windows_nt"                        100 ns ticks since 1601-01-01 (LDAP / Active Directory)
//   "epoch_millis"                      10 digits: seconds, 12: centiseconds, 13: milliseconds
//   "from_format|<strptime format>"     Python strptime; no zone in the format means UTC
//   "from_format_midnight|<format>"     a date in that format, at 00:00:00 UTC
// Converted values come out as "YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00", like Python's isoformat().
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "python_strptime.hpp"

namespace sluice::csv {

class TimeFormat {
 public:
    // Throws std::invalid_argument naming what is wrong with `spec`.
    explicit TimeFormat(std::optional<std::string_view> spec);

    // True when values go to the harmonization unchanged.
    bool passthrough() const { return kind_ == Kind::passthrough; }
    // Converts one value; throws TimeParseError saying why it cannot.
    std::string convert(std::string_view value) const;

 private:
    enum class Kind { passthrough, timestamp, windows_nt, epoch_millis, from_format, from_format_midnight };
    Kind kind_ = Kind::passthrough;
    std::optional<StrptimeFormat> format_;
};

}  // namespace sluice::csv
