// SPDX-License-Identifier: AGPL-3.0-or-later
#include "python_json.hpp"

#include <sluice/codec.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace sluice::feodo {
namespace {

void append_u16(uint32_t unit, std::string& out) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", unit);
    out += buf;
}

// Decodes one UTF-8 sequence at s[i]; advances i. Invalid bytes come back as themselves (U+00XX).
uint32_t next_code_point(const char* s, size_t n, size_t& i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    const auto cont = [&](size_t k) { return i + k < n && (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80; };
    const auto at = [&](size_t k) { return uint32_t(static_cast<unsigned char>(s[i + k]) & 0x3f); };
    if (b0 >= 0xc2 && b0 <= 0xdf && cont(1)) {
        const uint32_t cp = (uint32_t(b0 & 0x1f) << 6) | at(1);
        i += 2;
        return cp;
    }
    if (b0 >= 0xe0 && b0 <= 0xef && cont(1) && cont(2)) {
        const uint32_t cp = (uint32_t(b0 & 0x0f) << 12) | (at(1) << 6) | at(2);
        i += 3;
        return cp;
    }
    if (b0 >= 0xf0 && b0 <= 0xf4 && cont(1) && cont(2) && cont(3)) {
        const uint32_t cp = (uint32_t(b0 & 0x07) << 18) | (at(1) << 12) | (at(2) << 6) | at(3);
        i += 4;
        return cp;
    }
    ++i;
    return b0;
}

void append_string(const char* s, size_t n, std::string& out) {
    out += '"';
    for (size_t i = 0; i < n;) {
        const char c = s[i];
        if (sluice::append_json_escape(out, static_cast<unsigned char>(c))) {
            ++i;
            continue;
        }
        if (c >= ' ' && c <= '~') {
            out += c;
            ++i;
            continue;
        }
        const uint32_t cp = next_code_point(s, n, i);
        if (cp >= 0x10000) {
            const uint32_t v = cp - 0x10000;
            append_u16(0xd800 | (v >> 10), out);
            append_u16(0xdc00 | (v & 0x3ff), out);
        } else {
            append_u16(cp, out);
        }
    }
    out += '"';
}

// Python's float repr: the shortest round-trip digits, positional for exponents -4 .. 15,
// scientific (at least two exponent digits) otherwise; integral values keep ".0".
void append_float(double d, std::string& out) {
    if (std::isnan(d)) {
        out += "NaN";
        return;
    }
    if (std::isinf(d)) {
        out += d < 0 ? "-Infinity" : "Infinity";
        return;
    }
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    const std::string sci(buf, r.ptr);  // "-1.2345e+02"
    const size_t e = sci.find('e');
    const int exponent = std::atoi(sci.c_str() + e + 1);
    std::string mantissa = sci.substr(0, e);
    const bool negative = mantissa.front() == '-';
    if (negative) mantissa.erase(0, 1);
    std::string digits;
    for (char c : mantissa) {
        if (c != '.') digits += c;
    }
    if (negative) out += '-';
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            out += "0.";
            out.append(size_t(-exponent - 1), '0');
            out += digits;
        } else if (size_t(exponent) + 1 >= digits.size()) {
            out += digits;
            out.append(size_t(exponent) + 1 - digits.size(), '0');
            out += ".0";
        } else {
            out += digits.substr(0, size_t(exponent) + 1);
            out += '.';
            out += digits.substr(size_t(exponent) + 1);
        }
        return;
    }
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp;
}

}  // namespace

void append_python_json(const rapidjson::Value& v, std::string& out) {
    switch (v.GetType()) {
        case rapidjson::kNullType:
            out += "null";
            return;
        case rapidjson::kFalseType:
            out += "false";
            return;
        case rapidjson::kTrueType:
            out += "true";
            return;
        case rapidjson::kStringType:
            append_string(v.GetString(), v.GetStringLength(), out);
            return;
        case rapidjson::kNumberType:
            if (v.IsInt64())
                out += std::to_string(v.GetInt64());
            else if (v.IsUint64())
                out += std::to_string(v.GetUint64());
            else
                append_float(v.GetDouble(), out);
            return;
        case rapidjson::kArrayType: {
            out += '[';
            bool first = true;
            for (const auto& item : v.GetArray()) {
                if (!first) out += ", ";
                first = false;
                append_python_json(item, out);
            }
            out += ']';
            return;
        }
        case rapidjson::kObjectType: {
            out += '{';
            bool first = true;
            for (const auto& m : v.GetObject()) {
                if (!first) out += ", ";
                first = false;
                append_string(m.name.GetString(), m.name.GetStringLength(), out);
                out += ": ";
                append_python_json(m.value, out);
            }
            out += '}';
            return;
        }
    }
}

std::string python_json(const rapidjson::Value& v) {
    std::string out;
    append_python_json(v, out);
    return out;
}

}  // namespace sluice::feodo
