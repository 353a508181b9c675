// SPDX-License-Identifier: AGPL-3.0-or-later
// The current time as the harmonization writes it: UTC ISO-8601 with an explicit offset.
#pragma once

#include <chrono>
#include <ctime>
#include <string>

namespace sluice {

inline std::string utc_now_iso() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    return buf;
}

}  // namespace sluice
