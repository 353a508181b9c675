// SPDX-License-Identifier: AGPL-3.0-or-later
// Base64, JSON and JSONDict.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <sluice/codec.hpp>

#include "types/base64.hpp"
#include "types/field_types.hpp"
#include "types/text_util.hpp"

#include <cstdio>

namespace sluice::types {
namespace {

bool parse_json(std::string_view v, rapidjson::Document& doc) {
    doc.Parse(v.data(), v.size());
    return !doc.HasParseError();
}

std::string compact(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

// json.dumps(str) with ensure_ascii: non-ASCII as \uXXXX (surrogate pairs past U+FFFF), lower-case
// hex; invalid UTF-8 bytes are dropped, as IntelMQ's decode(errors='ignore') drops them.
std::string python_json_string(std::string_view v) {
    std::string out = "\"";
    char buf[16];
    auto u = [&](unsigned cp) {
        std::snprintf(buf, sizeof buf, "\\u%04x", cp);
        out += buf;
    };
    for (size_t i = 0; i < v.size();) {
        const unsigned char c = static_cast<unsigned char>(v[i]);
        if (c < 0x80) {
            // json.dumps(ensure_ascii=True) writes only ' '..'~' bare: DEL too is escaped.
            if (!sluice::append_json_escape(out, c)) {
                if (c == 0x7f)
                    u(c);
                else
                    out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        const size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        unsigned cp = len == 4 ? c & 0x07 : len == 3 ? c & 0x0F : c & 0x1F;
        bool ok = len != 0 && i + len <= v.size() && c < 0xF5 && c != 0xC0 && c != 0xC1;
        for (size_t k = 1; ok && k < len; ++k) {
            const unsigned char cc = static_cast<unsigned char>(v[i + k]);
            ok = (cc & 0xC0) == 0x80;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (ok)
            ok = !(len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) &&
                 !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF));
        if (!ok) {
            ++i;
            continue;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            u(0xD800 + (cp >> 10));
            u(0xDC00 + (cp & 0x3FF));
        } else {
            u(cp);
        }
        i += len;
    }
    return out + "\"";
}

}  // namespace

// IntelMQ's Base64 sanitize always encodes: a bot hands over the plain text of `raw`.
bool Base64::is_valid(std::string_view v) const { return !v.empty() && base64_valid(v); }
bool Base64::sanitize(std::string_view v, std::string& out) const {
    out = base64_encode(v);
    return true;
}

// JSON: a string holding JSON text (IntelMQ's `output` field). Valid JSON is kept as it is (after
// stripping blanks); any other text becomes a JSON string, written as Python's json.dumps writes it.
bool JSON::is_valid(std::string_view v) const {
    rapidjson::Document doc;
    return !v.empty() && parse_json(v, doc);
}
bool JSON::sanitize(std::string_view v, std::string& out) const {
    v = text::py_strip(v);
    if (v.empty()) return false;
    rapidjson::Document doc;
    if (parse_json(v, doc)) {
        out.assign(v);
        return true;
    }
    out = python_json_string(v);
    return true;
}

// JSONDict (`extra`): a JSON object. Message::set explodes it into extra.* keys.
// IntelMQ refuses the empty object.
bool JSONDict::is_valid(std::string_view v) const {
    rapidjson::Document doc;
    return parse_json(v, doc) && doc.IsObject() && doc.MemberCount() > 0;
}
bool JSONDict::sanitize(std::string_view v, std::string& out) const {
    rapidjson::Document doc;
    if (!parse_json(text::py_strip(v), doc) || !doc.IsObject() || doc.MemberCount() == 0) return false;
    out = compact(doc);
    return true;
}

}  // namespace sluice::types
