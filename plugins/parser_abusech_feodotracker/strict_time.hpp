// SPDX-License-Identifier: AGPL-3.0-or-later
// The two time shapes of the Feodo Tracker feed, read as IntelMQ's DateTime.from_format (Python
// strptime, no zone = UTC) reads them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::feodo {

// "%Y-%m-%d %H:%M:%S" -> "YYYY-MM-DDTHH:MM:SS+00:00"; nothing when the text has another shape.
std::optional<std::string> from_date_time(std::string_view text);
// "%Y-%m-%d" -> "YYYY-MM-DDT00:00:00+00:00" (IntelMQ's from_format_midnight).
std::optional<std::string> from_date_midnight(std::string_view text);

}  // namespace sluice::feodo
