// SPDX-License-Identifier: AGPL-3.0-or-later
#include "python_strptime.hpp"

#include <array>
#include <cctype>
#include <string>

#include <sluice/quote.hpp>
#include "civil_time.hpp"

namespace sluice::csv {
namespace {

using Token = StrptimeFormat::Token;

constexpr std::array<std::string_view, 12> kMonths = {"january",   "february", "march",    "april",
                                                      "may",       "june",     "july",     "august",
                                                      "september", "october",  "november", "december"};
constexpr std::array<std::string_view, 12> kMonthsAbbr = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kWeekdays = {"monday", "tuesday",  "wednesday", "thursday",
                                                       "friday", "saturday", "sunday"};
constexpr std::array<std::string_view, 7> kWeekdaysAbbr = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool starts_with_nocase(std::string_view s, size_t pos, std::string_view word) {
    if (s.size() - pos < word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
        if (lower(s[pos + i]) != word[i]) return false;
    }
    return true;
}

unsigned to_number(std::string_view digits) {
    unsigned n = 0;
    for (char c : digits) n = n * 10 + unsigned(c - '0');
    return n;
}

// What the pattern captured, before it is turned into a date (CPython's found_dict).
struct Found {
    std::optional<int64_t> year;
    std::optional<unsigned> month, day, julian, hour24, hour12, minute, second, microsecond;
    std::optional<bool> pm;
    std::optional<int64_t> offset_us;
};

// One way a directive can match at a position: its length and what it means.
struct Candidate {
    size_t length;
    std::string_view text;
};

// The candidates of a numeric directive, in the order CPython's regular expression tries them.
std::vector<Candidate> numeric_candidates(char directive, std::string_view s, size_t pos) {
    std::vector<Candidate> out;
    auto digits_at = [&](size_t n) {
        if (s.size() - pos < n) return false;
        for (size_t i = 0; i < n; ++i) {
            if (!is_digit(s[pos + i])) return false;
        }
        return true;
    };
    auto add_if = [&](size_t n, unsigned lo, unsigned hi) {
        if (!digits_at(n)) return;
        const unsigned v = to_number(s.substr(pos, n));
        if (v >= lo && v <= hi) out.push_back({n, s.substr(pos, n)});
    };
    switch (directive) {
        case 'd':  // 3[01]|[12]\d|0[1-9]|[1-9]| [1-9]
            add_if(2, 1, 31);
            add_if(1, 1, 9);
            if (s.size() - pos >= 2 && s[pos] == ' ' && is_digit(s[pos + 1]) && s[pos + 1] != '0') {
                out.push_back({2, s.substr(pos + 1, 1)});
            }
            break;
        case 'm':  // 1[0-2]|0[1-9]|[1-9]
        case 'I':
            add_if(2, 1, 12);
            add_if(1, 1, 9);
            break;
        case 'H':  // 2[0-3]|[0-1]\d|\d
            add_if(2, 0, 23);
            add_if(1, 0, 9);
            break;
        case 'M':  // [0-5]\d|\d
            add_if(2, 0, 59);
            add_if(1, 0, 9);
            break;
        case 'S':  // 6[0-1]|[0-5]\d|\d
            add_if(2, 0, 61);
            add_if(1, 0, 9);
            break;
        case 'f':  // [0-9]{1,6}, greedy
            for (size_t n = 6; n >= 1; --n) add_if(n, 0, 999999);
            break;
        case 'Y':
            add_if(4, 0, 9999);
            break;
        case 'y':
            add_if(2, 0, 99);
            break;
        case 'j':  // 36[0-6]|3[0-5]\d|[12]\d\d|0[1-9]\d|00[1-9]|[1-9]\d|0[1-9]|[1-9]
            add_if(3, 1, 366);
            add_if(2, 1, 99);
            add_if(1, 1, 9);
            break;
        case 'w':  // [0-6]
            add_if(1, 0, 6);
            break;
        case 'u':  // [1-7]
            add_if(1, 1, 7);
            break;
        default:
            break;
    }
    return out;
}

// The candidates of a name directive (%b %B %a %A %p %Z): longest name first, as CPython sorts them.
template <size_t N>
std::vector<Candidate> name_candidates(const std::array<std::string_view, N>& names, std::string_view s, size_t pos) {
    std::vector<Candidate> out;
    for (size_t len = 9; len >= 2; --len) {
        for (std::string_view name : names) {
            if (name.size() == len && starts_with_nocase(s, pos, name)) out.push_back({len, name});
        }
    }
    return out;
}

// %z: [+-]HH[:]MM[[:]SS[.ffffff]] or 'Z'; greedy.
std::vector<Candidate> offset_candidates(std::string_view s, size_t pos) {
    std::vector<Candidate> out;
    if (pos < s.size() && s[pos] == 'Z') {
        out.push_back({1, s.substr(pos, 1)});
        return out;
    }
    if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return out;
    auto two = [&](size_t at, char max_first) {
        return at + 2 <= s.size() && is_digit(s[at]) && s[at] <= max_first && is_digit(s[at + 1]);
    };
    size_t p = pos + 1;
    if (!two(p, '9')) return out;
    p += 2;
    if (p < s.size() && s[p] == ':') ++p;
    if (!two(p, '5')) return out;
    p += 2;
    size_t q = p;
    if (q < s.size() && s[q] == ':') ++q;
    if (two(q, '5')) {
        q += 2;
        if (q + 1 < s.size() && s[q] == '.' && is_digit(s[q + 1])) {
            size_t r = q + 1;
            while (r < s.size() && r - q <= 6 && is_digit(s[r])) ++r;
            out.push_back({r - pos, s.substr(pos, r - pos)});
        }
        out.push_back({q - pos, s.substr(pos, q - pos)});
    }
    out.push_back({p - pos, s.substr(pos, p - pos)});
    return out;
}

int64_t parse_offset(std::string_view z) {
    if (z == "Z") return 0;
    std::string digits;
    std::string fraction;
    bool in_fraction = false;
    for (char c : z.substr(1)) {
        if (c == '.') {
            in_fraction = true;
        } else if (is_digit(c)) {
            (in_fraction ? fraction : digits) += c;
        }
    }
    const int64_t hours = to_number(digits.substr(0, 2));
    const int64_t minutes = to_number(digits.substr(2, 2));
    const int64_t seconds = digits.size() >= 6 ? to_number(digits.substr(4, 2)) : 0;
    fraction.resize(6, '0');
    const int64_t us = ((hours * 60 + minutes) * 60 + seconds) * 1000000 + to_number(fraction);
    return z[0] == '-' ? -us : us;
}

void apply(Found& f, char directive, std::string_view text) {
    switch (directive) {
        case 'Y':
            f.year = to_number(text);
            break;
        case 'y': {
            const unsigned y = to_number(text);
            f.year = y <= 68 ? 2000 + y : 1900 + y;
            break;
        }
        case 'm':
            f.month = to_number(text);
            break;
        case 'd':
            f.day = to_number(text);
            break;
        case 'j':
            f.julian = to_number(text);
            break;
        case 'H':
            f.hour24 = to_number(text);
            break;
        case 'I':
            f.hour12 = to_number(text);
            break;
        case 'M':
            f.minute = to_number(text);
            break;
        case 'S':
            f.second = to_number(text);
            break;
        case 'f': {
            std::string us(text);
            us.resize(6, '0');
            f.microsecond = to_number(us);
            break;
        }
        case 'b':
        case 'B':
            for (size_t i = 0; i < 12; ++i) {
                if (text == kMonths[i] || text == kMonthsAbbr[i]) f.month = unsigned(i + 1);
            }
            break;
        case 'p':
            f.pm = text == "pm";
            break;
        case 'z':
            f.offset_us = parse_offset(text);
            break;
        default:
            break;  // %a %A %w %u %Z: matched, but they do not change the result
    }
}

class Matcher {
 public:
    Matcher(const std::vector<Token>& tokens, std::string_view s) : tokens_(tokens), s_(s) {}

    // CPython's re.match: the first way the whole pattern matches, leaving any rest of the text.
    bool match(size_t t, size_t pos, Found& found, size_t& end) const {
        if (t == tokens_.size()) {
            end = pos;
            return true;
        }
        const Token& tok = tokens_[t];
        switch (tok.kind) {
            case Token::literal:
                if (pos < s_.size() && lower(s_[pos]) == lower(tok.value)) return match(t + 1, pos + 1, found, end);
                return false;
            case Token::whitespace: {
                size_t n = 0;
                while (pos + n < s_.size() && is_space(s_[pos + n])) ++n;
                for (; n >= 1; --n) {  // \s+ is greedy and backtracks
                    if (match(t + 1, pos + n, found, end)) return true;
                }
                return false;
            }
            case Token::directive:
                for (const Candidate& c : candidates(tok.value, pos)) {
                    Found next = found;
                    apply(next, tok.value, c.text);
                    if (match(t + 1, pos + c.length, next, end)) {
                        found = next;
                        return true;
                    }
                }
                return false;
        }
        return false;
    }

 private:
    std::vector<Candidate> candidates(char d, size_t pos) const {
        switch (d) {
            case 'b':
                return name_candidates(kMonthsAbbr, s_, pos);
            case 'B':
                return name_candidates(kMonths, s_, pos);
            case 'a':
                return name_candidates(kWeekdaysAbbr, s_, pos);
            case 'A':
                return name_candidates(kWeekdays, s_, pos);
            case 'p':
                return name_candidates(std::array<std::string_view, 2>{"am", "pm"}, s_, pos);
            case 'Z':
                return name_candidates(std::array<std::string_view, 2>{"utc", "gmt"}, s_, pos);
            case 'z':
                return offset_candidates(s_, pos);
            default:
                return numeric_candidates(d, s_, pos);
        }
    }

    const std::vector<Token>& tokens_;
    std::string_view s_;
};

void append_format(std::vector<Token>& tokens, std::string_view format, bool allow_composite) {
    for (size_t i = 0; i < format.size(); ++i) {
        const char c = format[i];
        if (is_space(c)) {
            while (i + 1 < format.size() && is_space(format[i + 1])) ++i;
            tokens.push_back({Token::whitespace, ' '});
            continue;
        }
        if (c != '%') {
            tokens.push_back({Token::literal, c});
            continue;
        }
        if (++i == format.size()) throw std::invalid_argument("stray % at the end of the format");
        const char d = format[i];
        switch (d) {
            case '%':
                tokens.push_back({Token::literal, '%'});
                break;
            case 'c':
            case 'x':
            case 'X':
                if (!allow_composite) throw std::invalid_argument("bad directive");
                // The C locale's formats.
                append_format(tokens, d == 'c' ? "%a %b %d %H:%M:%S %Y" : d == 'x' ? "%m/%d/%y" : "%H:%M:%S", false);
                break;
            case 'Y':
            case 'y':
            case 'm':
            case 'd':
            case 'j':
            case 'H':
            case 'I':
            case 'M':
            case 'S':
            case 'f':
            case 'p':
            case 'b':
            case 'B':
            case 'a':
            case 'A':
            case 'w':
            case 'u':
            case 'z':
            case 'Z':
                tokens.push_back({Token::directive, d});
                break;
            default:
                throw std::invalid_argument(std::string("'%") + d + "' is not a supported directive");
        }
    }
}

}  // namespace

StrptimeFormat::StrptimeFormat(std::string_view format) { append_format(tokens_, format, true); }

ParsedTime StrptimeFormat::parse(std::string_view value) const {
    Found f;
    size_t end = 0;
    if (!Matcher(tokens_, value).match(0, 0, f, end)) {
        throw TimeParseError("time data '" + quote_prefix(value) + "' does not match format");
    }
    if (end != value.size()) {
        throw TimeParseError("unconverted data remains: '" + std::string(value.substr(end)) + "'");
    }
    ParsedTime t;
    t.year = f.year.value_or(1900);
    t.month = f.month.value_or(1);
    t.day = f.day.value_or(1);
    if (f.hour24) {
        t.hour = *f.hour24;
    } else if (f.hour12) {  // without %p, AM; 12 AM is midnight and 12 PM noon
        t.hour = *f.hour12 % 12 + (f.pm.value_or(false) ? 12 : 0);
    }
    t.minute = f.minute.value_or(0);
    t.second = f.second.value_or(0);
    t.microsecond = f.microsecond.value_or(0);
    t.utc_offset_us = f.offset_us;
    if (f.julian) {  // as CPython: day 366 of a common year is 1 January of the next
        const civil::Date d = civil::civil_from_days(civil::days_from_civil(t.year, 1, 1) + *f.julian - 1);
        t.year = d.year;
        t.month = d.month;
        t.day = d.day;
    }
    if (t.year < 1) throw TimeParseError("year 0 is out of range");
    if (t.day > civil::days_in_month(t.year, t.month)) throw TimeParseError("day is out of range for month");
    if (t.second > 59) throw TimeParseError("second must be in 0..59");
    return t;
}

}  // namespace sluice::csv
