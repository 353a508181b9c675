// SPDX-License-Identifier: AGPL-3.0-or-later
// DateTime: stored as UTC ISO-8601 with an explicit offset, "2015-12-14T04:19:00+00:00" (and
// ".123000" microseconds when there are any), exactly what IntelMQ's isoformat() writes.
// Accepted in: ISO-8601 with 'T' or ' ', optional seconds and fractions, 'Z', "+HH:MM", "+HHMM",
// " UTC"/" GMT", or a bare date (midnight UTC).
#include <charconv>
#include <cstdio>
#include <ctime>

#include "types/field_types.hpp"
#include "types/text_util.hpp"

namespace sluice::types {
namespace {

class Cursor {
 public:
    explicit Cursor(std::string_view s) : s_(s) {}
    bool digits(size_t n, int& out) {
        if (s_.size() < n) return false;
        out = 0;
        for (size_t i = 0; i < n; ++i) {
            if (s_[i] < '0' || s_[i] > '9') return false;
            out = out * 10 + (s_[i] - '0');
        }
        s_.remove_prefix(n);
        return true;
    }
    bool lit(char c) {
        if (s_.empty() || s_.front() != c) return false;
        s_.remove_prefix(1);
        return true;
    }
    bool done() const { return s_.empty(); }
    char peek() const { return s_.empty() ? '\0' : s_.front(); }
    std::string_view rest() const { return s_; }
    void skip(size_t n) { s_.remove_prefix(n); }

 private:
    std::string_view s_;
};

bool valid_date(int y, int mo, int d) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1) return false;
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[mo - 1] + (mo == 2 && leap ? 1 : 0);
}

}  // namespace

bool parse_datetime_utc(std::string_view v, std::string& out) {
    Cursor c(text::trim(v));
    int y, mo, d, h = 0, mi = 0, s = 0, micros = 0, offset_minutes = 0;
    if (!c.digits(4, y) || !c.lit('-') || !c.digits(2, mo) || !c.lit('-') || !c.digits(2, d)) return false;
    if (!valid_date(y, mo, d)) return false;
    if (!c.done()) {
        if (!c.lit('T') && !c.lit(' ')) return false;
        if (!c.digits(2, h) || !c.lit(':') || !c.digits(2, mi)) return false;
        if (c.lit(':') && !c.digits(2, s)) return false;
        if (c.lit('.') || c.lit(',')) {
            int digits = 0;
            while (c.peek() >= '0' && c.peek() <= '9') {
                if (digits < 6) micros = micros * 10 + (c.peek() - '0');
                ++digits;
                c.skip(1);
            }
            if (digits == 0) return false;
            for (int i = digits; i < 6; ++i) micros *= 10;
        }
        if (h > 23 || mi > 59 || s > 60) return false;
        const std::string_view zone = text::trim(c.rest());
        if (!zone.empty() && zone != "Z" && zone != "UTC" && zone != "GMT") {
            Cursor z(zone);
            const int sign = z.peek() == '-' ? -1 : 1;
            if (!z.lit('+') && !z.lit('-')) return false;
            int oh, om = 0;
            if (!z.digits(2, oh)) return false;
            if (!z.done()) {
                z.lit(':');
                if (!z.digits(2, om) || !z.done()) return false;
            }
            offset_minutes = sign * (oh * 60 + om);
        }
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    const time_t t = timegm(&tm) - offset_minutes * 60;
    std::tm utc{};
    gmtime_r(&t, &utc);
    char buf[48];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", utc.tm_year + 1900, utc.tm_mon + 1,
                          utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
    out.assign(buf, static_cast<size_t>(n));
    if (micros) {
        n = std::snprintf(buf, sizeof buf, ".%06d", micros);
        out.append(buf, static_cast<size_t>(n));
    }
    out += "+00:00";
    return true;
}

// The canonical form has a fixed layout, so it is checked in place instead of parsed and written
// again: this runs for every time field of every message a host reads.
bool DateTime::is_valid(std::string_view v) const {
    if (v.size() != 25 && v.size() != 32) return false;
    static constexpr std::string_view layout = "dddd-dd-ddTdd:dd:dd.dddddd+00:00";
    for (size_t i = 0, j = 0; i < v.size(); ++i, ++j) {
        if (v.size() == 25 && j == 19) j = 26;  // no fraction
        const char want = layout[j];
        if (want == 'd' ? (v[i] < '0' || v[i] > '9') : v[i] != want) return false;
    }
    auto num = [&](size_t at, size_t n) {
        int x = 0;
        for (size_t k = 0; k < n; ++k) x = x * 10 + (v[at + k] - '0');
        return x;
    };
    if (v.size() == 32 && num(20, 6) == 0) return false;  // isoformat() omits a zero fraction
    return valid_date(num(0, 4), num(5, 2), num(8, 2)) && num(11, 2) <= 23 && num(14, 2) <= 59 && num(17, 2) <= 59;
}

bool DateTime::sanitize(std::string_view v, std::string& out) const { return parse_datetime_utc(v, out); }

}  // namespace sluice::types
