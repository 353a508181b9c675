// SPDX-License-Identifier: AGPL-3.0-or-later
// Integer, Float, Accuracy, ASN and Boolean. Numbers are stored as their JSON text: integers in
// decimal, floats as Python's repr writes them (100.0, 0.5), so the wire format matches IntelMQ's.
#include <charconv>
#include <cmath>

#include "types/field_types.hpp"
#include "types/text_util.hpp"

namespace sluice::types {
namespace {

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

std::string python_float_repr(double d) {
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
    std::string s(buf, p);
    if (s.find_first_of(".en") == std::string::npos) s += ".0";
    return s;
}

bool Integer::is_valid(std::string_view v) const {
    long long i;
    return parse_int(v, i) && std::to_string(i) == v;
}
bool Integer::sanitize(std::string_view v, std::string& out) const {
    v = text::trim(v);
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
    if (!parse_double(text::trim(v), d)) return false;
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
    v = text::trim(v);
    if (text::iequals(v, "true") || v == "1" || text::iequals(v, "yes")) {
        out = "true";
        return true;
    }
    if (text::iequals(v, "false") || v == "0" || text::iequals(v, "no")) {
        out = "false";
        return true;
    }
    return false;
}

}  // namespace sluice::types
