// SPDX-License-Identifier: AGPL-3.0-or-later
#include "iso_time.hpp"

#include <array>
#include <utility>

namespace sluice::bot_time {
namespace {

constexpr std::array<std::pair<std::string_view, int64_t>, 7> kTimespans = {{
    {"second", 1},
    {"minute", 60},
    {"hour", 3600},
    {"day", 86400},
    {"week", 7 * 86400},
    {"month", 30 * 86400},
    {"year", 365 * 86400},
}};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view strip(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, size_t& pos, size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!is_digit(s[pos + i])) return false;
        out = out * 10 + (s[pos + i] - '0');
    }
    pos += n;
    return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
    constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// The zone suffix in seconds east of UTC; false when it is not one.
bool zone_offset(std::string_view z, int64_t& offset) {
    z = strip(z);
    offset = 0;
    if (z.empty() || z == "Z" || z == "z" || z == "UTC" || z == "GMT") return true;
    if (z.front() != '+' && z.front() != '-') return false;
    const int sign = z.front() == '-' ? -1 : 1;
    size_t pos = 1;
    int hh = 0, mm = 0;
    if (!digits(z, pos, 2, hh)) return false;
    if (pos < z.size() && z[pos] == ':') ++pos;
    if (pos < z.size() && !digits(z, pos, 2, mm)) return false;
    if (pos != z.size() || hh > 23 || mm > 59) return false;
    offset = sign * (hh * 3600 + mm * 60);
    return true;
}

}  // namespace

bool mentions_timespan(std::string_view text) {
    for (const auto& [unit, seconds] : kTimespans) {
        if (text.find(unit) != std::string_view::npos) return true;
    }
    return false;
}

std::optional<Micros> parse_relative(std::string_view text) {
    // IntelMQ: ^(\d+)\s+(\w+[^s])s?$ on the stripped text; the unit must be a TIMESPANS key.
    text = strip(text);
    size_t pos = 0;
    int64_t number = 0;
    while (pos < text.size() && is_digit(text[pos])) {
        if (number > 1'000'000'000) return std::nullopt;
        number = number * 10 + (text[pos++] - '0');
    }
    if (pos == 0 || pos == text.size() || !is_space(text[pos])) return std::nullopt;
    while (pos < text.size() && is_space(text[pos])) ++pos;
    std::string_view unit = text.substr(pos);
    if (unit.ends_with('s')) unit.remove_suffix(1);
    for (const auto& [name, seconds] : kTimespans) {
        if (unit == name) return number * seconds * 1'000'000;
    }
    return std::nullopt;
}

std::optional<Micros> parse_datetime(std::string_view text) {
    text = strip(text);
    size_t pos = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    int64_t micros = 0;
    if (!digits(text, pos, 4, y) || pos >= text.size() || text[pos++] != '-' || !digits(text, pos, 2, mo) ||
        pos >= text.size() || text[pos++] != '-' || !digits(text, pos, 2, d))
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return std::nullopt;
    if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ') && pos + 1 < text.size() &&
        is_digit(text[pos + 1])) {
        ++pos;
        if (!digits(text, pos, 2, h) || pos >= text.size() || text[pos++] != ':' || !digits(text, pos, 2, mi))
            return std::nullopt;
        if (pos < text.size() && text[pos] == ':') {
            ++pos;
            if (!digits(text, pos, 2, s)) return std::nullopt;
            if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
                ++pos;
                int64_t scale = 100000;
                const size_t start = pos;
                while (pos < text.size() && is_digit(text[pos])) {
                    if (scale > 0) micros += (text[pos] - '0') * scale;
                    scale /= 10;
                    ++pos;
                }
                if (pos == start) return std::nullopt;
            }
        }
        if (h > 23 || mi > 59 || s > 59) return std::nullopt;
    }
    int64_t offset = 0;
    if (!zone_offset(text.substr(pos), offset)) return std::nullopt;
    const int64_t seconds = days_from_civil(y, unsigned(mo), unsigned(d)) * 86400 + h * 3600 + mi * 60 + s - offset;
    return seconds * 1'000'000 + micros;
}

}  // namespace sluice::bot_time
