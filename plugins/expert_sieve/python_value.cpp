// SPDX-License-Identifier: AGPL-3.0-or-later
#include "python_value.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sluice/codec.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace sluice::sieve {
namespace {

double as_double(const rapidjson::Value& v) {
    if (v.IsBool()) return v.GetBool() ? 1.0 : 0.0;
    return v.GetDouble();
}

bool as_int(const rapidjson::Value& v, int64_t& out) {
    if (v.IsBool()) {
        out = v.GetBool() ? 1 : 0;
        return true;
    }
    if (v.IsInt64()) {
        out = v.GetInt64();
        return true;
    }
    return false;
}

void append_hex4(std::string& out, unsigned cp) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", cp);
    out += buf;
}

// Decodes one UTF-8 sequence at s[i] (advancing i); a byte that starts no complete sequence
// decodes as itself.
unsigned next_code_point(std::string_view s, size_t& i) {
    const auto b = static_cast<unsigned char>(s[i]);
    const size_t extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
    if (extra == 0 || i + extra >= s.size()) {
        ++i;
        return b;
    }
    unsigned cp = b & (0x3Fu >> extra);
    for (size_t k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    i += extra + 1;
    return cp;
}

void dumps_string(std::string& out, std::string_view s) {
    out += '"';
    for (size_t i = 0; i < s.size();) {
        const char c = s[i];
        if (static_cast<unsigned char>(c) >= 0x80) {
            const unsigned cp = next_code_point(s, i);
            if (cp >= 0x10000) {
                const unsigned v = cp - 0x10000;
                append_hex4(out, 0xD800 + (v >> 10));
                append_hex4(out, 0xDC00 + (v & 0x3FF));
            } else {
                append_hex4(out, cp);
            }
            continue;
        }
        ++i;
        // json.dumps(ensure_ascii=True) writes only ' '..'~' bare: DEL too is escaped.
        const auto b = static_cast<unsigned char>(c);
        if (sluice::append_json_escape(out, b)) continue;
        if (b == 0x7f)
            append_hex4(out, b);
        else
            out += c;
    }
    out += '"';
}

std::string number_text(const rapidjson::Value& v) {
    if (v.IsInt64()) return std::to_string(v.GetInt64());
    if (v.IsUint64()) return std::to_string(v.GetUint64());
    return python_float(v.GetDouble());
}

void dumps(std::string& out, const rapidjson::Value& v) {
    if (v.IsString()) {
        dumps_string(out, {v.GetString(), v.GetStringLength()});
    } else if (v.IsBool()) {
        out += v.GetBool() ? "true" : "false";
    } else if (v.IsNull()) {
        out += "null";
    } else if (v.IsNumber()) {
        const std::string n = number_text(v);
        out += n == "inf" ? "Infinity" : n == "-inf" ? "-Infinity" : n == "nan" ? "NaN" : n;
    } else if (v.IsArray()) {
        out += '[';
        bool first = true;
        for (const auto& e : v.GetArray()) {
            if (!first) out += ", ";
            first = false;
            dumps(out, e);
        }
        out += ']';
    } else {
        out += '{';
        bool first = true;
        for (const auto& m : v.GetObject()) {
            if (!first) out += ", ";
            first = false;
            dumps_string(out, {m.name.GetString(), m.name.GetStringLength()});
            out += ": ";
            dumps(out, m.value);
        }
        out += '}';
    }
}

// Python's repr() of a str: single quotes unless the text has ' and no ".
void repr_string(std::string& out, std::string_view s) {
    const bool dq = s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos;
    const char q = dq ? '"' : '\'';
    out += q;
    for (const char c : s) {
        if (c == q || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
            out += buf;
        } else {
            out += c;
        }
    }
    out += q;
}

void repr(std::string& out, const rapidjson::Value& v) {
    if (v.IsString()) {
        repr_string(out, {v.GetString(), v.GetStringLength()});
    } else if (v.IsBool()) {
        out += v.GetBool() ? "True" : "False";
    } else if (v.IsNull()) {
        out += "None";
    } else if (v.IsNumber()) {
        out += number_text(v);
    } else if (v.IsArray()) {
        out += '[';
        bool first = true;
        for (const auto& e : v.GetArray()) {
            if (!first) out += ", ";
            first = false;
            repr(out, e);
        }
        out += ']';
    } else {
        out += '{';
        bool first = true;
        for (const auto& m : v.GetObject()) {
            if (!first) out += ", ";
            first = false;
            repr_string(out, {m.name.GetString(), m.name.GetStringLength()});
            out += ": ";
            repr(out, m.value);
        }
        out += '}';
    }
}

}  // namespace

bool is_numeric(const rapidjson::Value& v) { return v.IsNumber() || v.IsBool(); }

int numeric_compare(const rapidjson::Value& a, const rapidjson::Value& b) {
    int64_t x = 0, y = 0;
    if (as_int(a, x) && as_int(b, y)) return x < y ? -1 : x > y ? 1 : 0;
    const double p = as_double(a), q = as_double(b);
    return p < q ? -1 : p > q ? 1 : 0;
}

bool python_equal(const rapidjson::Value& a, const rapidjson::Value& b) {
    if (is_numeric(a) && is_numeric(b)) {
        int64_t x = 0, y = 0;
        if (as_int(a, x) && as_int(b, y)) return x == y;
        return as_double(a) == as_double(b);
    }
    if (a.GetType() != b.GetType()) return false;
    if (a.IsString())
        return a.GetStringLength() == b.GetStringLength() && std::string_view(a.GetString(), a.GetStringLength()) ==
                                                                 std::string_view(b.GetString(), b.GetStringLength());
    if (a.IsNull()) return true;
    if (a.IsArray()) {
        if (a.Size() != b.Size()) return false;
        for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
            if (!python_equal(a[i], b[i])) return false;
        }
        return true;
    }
    if (a.MemberCount() != b.MemberCount()) return false;
    for (const auto& m : a.GetObject()) {
        const auto it = b.FindMember(m.name);
        if (it == b.MemberEnd() || !python_equal(m.value, it->value)) return false;
    }
    return true;
}

std::string match_text(const rapidjson::Value& v) { return v.IsObject() ? json_dumps(v) : python_str(v); }

std::string json_dumps(const rapidjson::Value& v) {
    std::string out;
    dumps(out, v);
    return out;
}

std::string python_str(const rapidjson::Value& v) {
    if (v.IsString()) return {v.GetString(), v.GetStringLength()};
    std::string out;
    repr(out, v);
    return out;
}

std::string python_float(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
    // The shortest digits that round-trip, then Python's layout: fixed for exponents -4 .. 15.
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    const std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));
    const size_t e = sci.find('e');
    std::string_view mant = sci.substr(0, e);
    const int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
    std::string sign;
    if (mant.front() == '-') {
        sign = "-";
        mant.remove_prefix(1);
    }
    std::string digits;
    for (const char c : mant) {
        if (c != '.') digits += c;
    }
    if (exp >= -4 && exp < 16) {
        std::string out;
        if (exp < 0) {
            out = "0." + std::string(size_t(-exp - 1), '0') + digits;
        } else if (size_t(exp) + 1 >= digits.size()) {
            out = digits + std::string(size_t(exp) + 1 - digits.size(), '0') + ".0";
        } else {
            out = digits.substr(0, size_t(exp) + 1) + "." + digits.substr(size_t(exp) + 1);
        }
        return sign + out;
    }
    std::string out = sign + digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    std::snprintf(buf, sizeof buf, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    return out + buf;
}

std::string compact_json(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return {buf.GetString(), buf.GetSize()};
}

}  // namespace sluice::sieve
