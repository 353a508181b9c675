// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Proleptic Gregorian calendar arithmetic (Howard Hinnant's days_from_civil / civil_from_days) and
// the one output format the time conversions produce: Python's datetime.isoformat() of an aware
// UTC datetime, "YYYY-MM-DDTHH:MM:SS+00:00", with ".ffffff" only when there are microseconds.
// No time zone database and no global state: everything here is UTC.
#pragma once

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace sluice::csv::civil {

constexpr int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Date {
    int64_t year;
    unsigned month;
    unsigned day;
};

constexpr Date civil_from_days(int64_t z) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t y = static_cast<int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return Date{y + (m <= 2), m, d};
}

constexpr bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr unsigned days_in_month(int64_t y, unsigned m) {
    constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

constexpr int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Microseconds since 1970-01-01T00:00:00Z as Python's isoformat() of an aware UTC datetime.
// Throws std::out_of_range outside Python's datetime range (years 1 to 9999).
inline std::string isoformat_utc(int64_t micros) {
    const int64_t seconds = floor_div(micros, 1000000);
    const int64_t us = micros - seconds * 1000000;
    const int64_t days = floor_div(seconds, 86400);
    const int64_t sod = seconds - days * 86400;
    const Date d = civil_from_days(days);
    if (d.year < 1 || d.year > 9999) throw std::out_of_range("year " + std::to_string(d.year) + " is out of range");
    char buf[48];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(d.year), d.month, d.day,
                          static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
    if (us != 0) n += std::snprintf(buf + n, sizeof buf - n, ".%06d", static_cast<int>(us));
    return std::string(buf, n) + "+00:00";
}

}  // namespace sluice::csv::civil
