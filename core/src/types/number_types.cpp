// SPDX-License-Identifier: AGPL-3.0-or-later
// Integer, Float, Accuracy, ASN and Boolean. Numbers are stored as their JSON text: integers in
// decimal, floats as Python's repr writes them (100.0, 0.5), so the wire format matches IntelMQ's.
#include <charconv>
#include <cmath>
#include <cstdio>

#include "types/field_types.hpp"
#include "types/text_util.hpp"

namespace sluice::types {
namespace {

// Python's int()/float() accept single underscores between digits ("1_000").
std::string without_underscores(std::string_view v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '_' && i > 0 && i + 1 < v.size() && std::isdigit(static_cast<unsigned char>(v[i - 1])) &&
            std::isdigit(static_cast<unsigned char>(v[i + 1])))
            continue;
        s += v[i];
    }
    return s;
}

bool parse_int(std::string_view v, long long& out) {
    if (!v.empty() && v.front() == '+') v.remove_prefix(1);
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    return ec == std::errc() && p == v.data() + v.size() && !v.empty();
}

bool parse_double(std::string_view v, double& out) {
    if (!v.empty() && v.front() == '+') v.remove_prefix(1);
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    return ec == std::errc() && p == v.data() + v.size() && !v.empty() && std::isfinite(out);
}

}  // namespace

// repr(float): the shortest digits that read back; positional for exponents -4 to 15, else
// scientific with at least two exponent digits ("1e-05", "1e+16").
std::string python_float_repr(double d) {
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    const std::string sci(buf, p);
    if (sci == "inf" || sci == "-inf") return sci;
    if (sci.find("nan") != std::string::npos) return "nan";
    const size_t e = sci.find('e');
    int exp = 0;
    std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+'), sci.data() + sci.size(), exp);
    const bool neg = sci[0] == '-';
    std::string digits;
    for (size_t i = neg; i < e; ++i)
        if (sci[i] != '.') digits += sci[i];
    std::string out = neg ? "-" : "";
    if (exp < -4 || exp >= 16) {
        out += digits[0];
        if (digits.size() > 1) out += "." + digits.substr(1);
        char eb[16];
        std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        return out + eb;
    }
    if (exp < 0) return out + "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
    const size_t int_len = static_cast<size_t>(exp) + 1;
    if (digits.size() <= int_len) return out + digits + std::string(int_len - digits.size(), '0') + ".0";
    return out + digits.substr(0, int_len) + "." + digits.substr(int_len);
}

bool Integer::is_valid(std::string_view v) const {
    long long i;
    return parse_int(v, i) && std::to_string(i) == v;
}
bool Integer::sanitize(std::string_view v, std::string& out) const {
    v = text::py_strip(v);
    if (v == "true" || v == "false") {  // int(True) is 1
        out = v == "true" ? "1" : "0";
        return true;
    }
    const std::string plain = without_underscores(v);
    v = plain;
    long long i;
    double d;
    if (parse_int(v, i)) {
        out = std::to_string(i);
        return true;
    }
    // IntelMQ's int() of a float: 12.0 → 12; "12.5" is refused.
    if (parse_double(v, d) && d == std::trunc(d) && std::fabs(d) < 9.2e18) {
        out = std::to_string(static_cast<long long>(d));
        return true;
    }
    return false;
}

bool Float::is_valid(std::string_view v) const {
    double d;
    return parse_double(v, d) && python_float_repr(d) == v;
}
bool Float::sanitize(std::string_view v, std::string& out) const {
    double d;
    v = text::py_strip(v);
    if (v == "true" || v == "false") v = v == "true" ? "1" : "0";  // float(True) is 1.0
    if (!parse_double(without_underscores(v), d)) return false;
    out = python_float_repr(d);
    return true;
}

bool Accuracy::is_valid(std::string_view v) const {
    double d;
    return Float::is_valid(v) && parse_double(v, d) && d >= 0 && d <= 100;
}
bool Accuracy::sanitize(std::string_view v, std::string& out) const {
    v = text::trim(v);
    if (v == "true") v = "100";  // IntelMQ: True means fully accurate
    if (v == "false") v = "0";
    return Float::sanitize(v, out);
}

bool ASN::is_valid(std::string_view v) const {
    long long i;
    return Integer::is_valid(v) && parse_int(v, i) && i >= 1 && i <= 4294967295LL;
}
bool ASN::sanitize(std::string_view v, std::string& out) const {
    v = text::trim(v);
    if (text::starts_with_i(v, "AS")) v.remove_prefix(2);
    return Integer::sanitize(v, out);
}

bool Boolean::is_valid(std::string_view v) const { return v == "true" || v == "false"; }
bool Boolean::sanitize(std::string_view v, std::string& out) const {
    v = text::py_strip(v);
    // IntelMQ: the strings 'true' and 'false' in any case, and the integers 1 and 0.
    if (text::iequals(v, "true") || v == "1") {
        out = "true";
        return true;
    }
    if (text::iequals(v, "false") || v == "0") {
        out = "false";
        return true;
    }
    return false;
}

}  // namespace sluice::types
