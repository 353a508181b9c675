// SPDX-License-Identifier: AGPL-3.0-or-later
#include "strict_time.hpp"

#include <cstdio>

namespace sluice::feodo {
namespace {

// strptime's numeric directive: `min`..`max` digits at pos.
bool field(std::string_view s, size_t& pos, size_t min, size_t max, int& out) {
    out = 0;
    size_t n = 0;
    while (pos < s.size() && n < max && s[pos] >= '0' && s[pos] <= '9') {
        out = out * 10 + (s[pos++] - '0');
        ++n;
    }
    return n >= min;
}

bool literal(std::string_view s, size_t& pos, char c) {
    if (pos >= s.size() || s[pos] != c) return false;
    ++pos;
    return true;
}

bool valid_date(int y, int m, int d) {
    constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1) return false;
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= (m == 2 && leap ? 29 : kDays[m - 1]);
}

bool date(std::string_view s, size_t& pos, int& y, int& m, int& d) {
    return field(s, pos, 4, 4, y) && literal(s, pos, '-') && field(s, pos, 1, 2, m) && literal(s, pos, '-') &&
           field(s, pos, 1, 2, d) && valid_date(y, m, d);
}

std::string iso(int y, int m, int d, int h, int mi, int sec) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d+00:00", y, m, d, h, mi, sec);
    return buf;
}

}  // namespace

std::optional<std::string> from_date_time(std::string_view text) {
    size_t pos = 0;
    int y = 0, m = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!date(text, pos, y, m, d) || !literal(text, pos, ' ') || !field(text, pos, 1, 2, h) ||
        !literal(text, pos, ':') || !field(text, pos, 1, 2, mi) || !literal(text, pos, ':') ||
        !field(text, pos, 1, 2, sec) || pos != text.size() || h > 23 || mi > 59 || sec > 59)
        return std::nullopt;
    return iso(y, m, d, h, mi, sec);
}

std::optional<std::string> from_date_midnight(std::string_view text) {
    size_t pos = 0;
    int y = 0, m = 0, d = 0;
    if (!date(text, pos, y, m, d) || pos != text.size()) return std::nullopt;
    return iso(y, m, d, 0, 0, 0);
}

}  // namespace sluice::feodo
