// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http_date.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace sluice::spamhaus {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

std::vector<std::string_view> tokens(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ',')) ++i;
        const size_t start = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != ',') ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

bool number(std::string_view s, int& out, size_t min_len, size_t max_len) {
    if (s.size() < min_len || s.size() > max_len) return false;
    out = 0;
    for (char c : s) {
        if (!is_digit(c)) return false;
        out = out * 10 + (c - '0');
    }
    return true;
}

int month_of(std::string_view s) {
    constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
    if (s.size() < 3) return 0;
    std::string low;
    for (char c : s) low += lower(c);
    for (size_t i = 0; i < kMonths.size(); ++i) {
        if (low.starts_with(kMonths[i])) return int(i) + 1;
    }
    return 0;
}

bool is_weekday(std::string_view s) {
    constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    if (s.size() < 3) return false;
    std::string low;
    for (char c : s) low += lower(c);
    for (auto d : kDays) {
        if (low.starts_with(d)) return true;
    }
    return false;
}

int days_in_month(int y, int m) {
    constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int& y, int& m, int& d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = int(doy - (153 * mp + 2) / 5 + 1);
    m = int(mp < 10 ? mp + 3 : mp - 9);
    y = int(int64_t(yoe) + era * 400 + (m <= 2));
}

// Seconds east of UTC of a zone token; false when it is not one.
bool zone(std::string_view z, int& offset) {
    offset = 0;
    if (z == "GMT" || z == "UTC" || z == "Z" || z == "UT") return true;
    if (z.size() < 3 || (z[0] != '+' && z[0] != '-')) return false;
    std::string digits;
    for (char c : z.substr(1)) {
        if (c != ':') digits += c;
    }
    int hh = 0, mm = 0;
    if (digits.size() == 2 ? !number(digits, hh, 2, 2)
                           : digits.size() != 4 || !number(digits.substr(0, 2), hh, 2, 2) ||
                                 !number(std::string_view(digits).substr(2), mm, 2, 2))
        return false;
    offset = (z[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
    return true;
}

}  // namespace

std::optional<std::string> http_date_to_iso(std::string_view text) {
    auto t = tokens(text);
    if (!t.empty() && is_weekday(t.front())) t.erase(t.begin());
    if (t.size() != 4 && t.size() != 5) return std::nullopt;
    int day = 0, year = 0, h = 0, mi = 0, s = 0, offset = 0;
    const int month = month_of(t[1]);
    if (!number(t[0], day, 1, 2) || month == 0 || !number(t[2], year, 4, 4)) return std::nullopt;
    const std::string_view time = t[3];
    if (time.size() != 5 && time.size() != 8) return std::nullopt;
    if (!number(time.substr(0, 2), h, 2, 2) || time[2] != ':' || !number(time.substr(3, 2), mi, 2, 2))
        return std::nullopt;
    if (time.size() == 8 && (time[5] != ':' || !number(time.substr(6, 2), s, 2, 2))) return std::nullopt;
    if (t.size() == 5 && !zone(t[4], offset)) return std::nullopt;
    if (day < 1 || day > days_in_month(year, month) || h > 23 || mi > 59 || s > 59) return std::nullopt;

    int64_t seconds = days_from_civil(year, unsigned(month), unsigned(day)) * 86400 + h * 3600 + mi * 60 + s - offset;
    const int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
    seconds -= days * 86400;
    int y = 0, m = 0, d = 0;
    civil_from_days(days, y, m, d);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d+00:00", y, m, d, int(seconds / 3600),
                  int(seconds / 60 % 60), int(seconds % 60));
    return std::string(buf);
}

}  // namespace sluice::spamhaus
