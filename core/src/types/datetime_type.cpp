// SPDX-License-Identifier: AGPL-3.0-or-later
// DateTime: stored as UTC ISO-8601 with an explicit offset, "2015-12-14T04:19:00+00:00" (and
// ".123000" microseconds when there are any), exactly what IntelMQ's isoformat() writes.
// Accepted in: ISO-8601 with 'T' or ' ', optional seconds and fractions, 'Z', "+HH:MM", "+HHMM",
// " UTC"/" GMT", or a bare date (midnight UTC).
#include <charconv>
#include <cmath>
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

// Python's strptime for '%Y-%m-%dT%H:%M:%S[.%f]+00:00': %Y four digits; %m, %d, %H, %M, %S one or two
// digits (%d also " 7"); %f one to six; literals case-insensitive ('t'); the values must make a date.
bool is_utc_isoformat(std::string_view v) {
    size_t i = 0;
    auto num = [&](size_t min_digits, size_t max_digits, int& out) {
        size_t n = 0;
        out = 0;
        while (n < max_digits && i < v.size() && v[i] >= '0' && v[i] <= '9') out = out * 10 + (v[i++] - '0'), ++n;
        return n >= min_digits;
    };
    auto lit = [&](char ch) {
        if (i < v.size() && (v[i] == ch || (ch == 'T' && v[i] == 't'))) return ++i, true;
        return false;
    };
    int y, mo, d, h, mi, s, f;
    if (!num(4, 4, y) || !lit('-') || !num(1, 2, mo) || !lit('-')) return false;
    if (i + 1 < v.size() && v[i] == ' ' && v[i + 1] >= '1' && v[i + 1] <= '9') {
        ++i;
        if (!num(1, 1, d)) return false;
    } else if (!num(1, 2, d)) {
        return false;
    }
    if (!lit('T') || !num(1, 2, h) || !lit(':') || !num(1, 2, mi) || !lit(':') || !num(1, 2, s)) return false;
    if (lit('.') && !num(1, 6, f)) return false;
    if (v.substr(i) != "+00:00") return false;
    return y >= 1 && valid_date(y, mo, d) && h <= 23 && mi <= 59 && s <= 59;
}

}  // namespace

bool parse_datetime_utc(std::string_view v, std::string& out) {
    v = text::py_strip(v);
    if (is_utc_isoformat(v)) {  // IntelMQ's from_isoformat accepts it: kept as it is
        out.assign(v);
        return true;
    }
    Cursor c(v);
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
        if (h > 23 || mi > 59 || s > 59) return false;
        std::string_view zone = text::trim(c.rest());
        // "+02:00 UTC", as some feeds write it: the offset counts (dateutil does the same).
        for (std::string_view name : {"UTC", "GMT"})
            if (zone.size() > name.size() && zone.ends_with(name) && (zone[0] == '+' || zone[0] == '-'))
                zone = text::trim(zone.substr(0, zone.size() - name.size()));
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

// IntelMQ's is_valid: DateTime.from_isoformat accepts the value, i.e. datetime.strptime with
// '%Y-%m-%dT%H:%M:%S+00:00' or '%Y-%m-%dT%H:%M:%S.%f+00:00'. See is_utc_isoformat.
bool DateTime::is_valid(std::string_view v) const { return is_utc_isoformat(v); }

bool DateTime::sanitize(std::string_view v, std::string& out) const { return parse_datetime_utc(v, out); }

}  // namespace sluice::types

namespace sluice::types {
namespace {

// datetime.isoformat() of a UTC time given as seconds since 1970 and microseconds.
bool format_utc(long long secs, long micros, std::string& out) {
    const time_t t = static_cast<time_t>(secs);
    std::tm utc{};
    if (!gmtime_r(&t, &utc) || utc.tm_year + 1900 < 1 || utc.tm_year + 1900 > 9999) return false;
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", utc.tm_year + 1900, utc.tm_mon + 1,
                          utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
    out.assign(buf, static_cast<size_t>(n));
    if (micros) {
        n = std::snprintf(buf, sizeof buf, ".%06ld", micros);
        out.append(buf, static_cast<size_t>(n));
    }
    out += "+00:00";
    return true;
}

// A float seconds value split as Python's datetime does it: microseconds rounded half to even.
bool format_float_seconds(double t, long long epoch_offset, std::string& out) {
    if (!std::isfinite(t) || std::fabs(t) > 4e11) return false;
    double whole = std::floor(t);
    double us = std::nearbyint((t - whole) * 1e6);
    if (us >= 1e6) whole += 1, us -= 1e6;
    return format_utc(static_cast<long long>(whole) + epoch_offset, static_cast<long>(us), out);
}

bool parse_py_int(std::string_view v, long long& out) {
    v = text::py_strip(v);
    if (!v.empty() && v.front() == '+') v.remove_prefix(1);
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    return ec == std::errc() && p == v.data() + v.size() && !v.empty();
}

}  // namespace

bool datetime_from_timestamp(std::string_view v, std::string& out) {
    v = text::py_strip(v);
    if (!v.empty() && v.front() == '+') v.remove_prefix(1);
    double t = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), t);
    if (ec != std::errc() || p != v.data() + v.size() || v.empty()) return false;
    return format_float_seconds(t, 0, out);
}

bool datetime_from_epoch_millis(std::string_view v, std::string& out) {
    long long n = 0;
    if (!parse_py_int(v, n)) return false;
    const size_t len = v.size();  // len(str(value)), the text as given
    if (len == 10) return format_utc(n, 0, out);
    if (len == 12) return format_utc(n / 100, 0, out);
    if (len == 13) return format_utc(n / 1000, 0, out);
    return false;
}

bool datetime_from_windows_nt(std::string_view v, std::string& out) {
    long long n = 0;
    if (!parse_py_int(v, n)) return false;
    // 1601-01-01 + timedelta(seconds=int(value) * 10 ** -7), a float as in Python.
    return format_float_seconds(static_cast<double>(n) * 1e-7, -11644473600LL, out);
}

}  // namespace sluice::types
