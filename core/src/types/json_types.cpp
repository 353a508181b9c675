// SPDX-License-Identifier: AGPL-3.0-or-later
// Base64, JSON and JSONDict.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "types/base64.hpp"
#include "types/field_types.hpp"

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

}  // namespace

// IntelMQ's Base64 sanitize always encodes: a bot hands over the plain text of `raw`.
bool Base64::is_valid(std::string_view v) const { return !v.empty() && base64_valid(v); }
bool Base64::sanitize(std::string_view v, std::string& out) const {
    out = base64_encode(v);
    return true;
}

// JSON: a string holding JSON text (IntelMQ's `output` field).
bool JSON::is_valid(std::string_view v) const {
    rapidjson::Document doc;
    return !v.empty() && parse_json(v, doc);
}
bool JSON::sanitize(std::string_view v, std::string& out) const {
    rapidjson::Document doc;
    if (parse_json(v, doc)) {
        out = compact(doc);
        return true;
    }
    // Plain text becomes a JSON string, as json.dumps would make it.
    rapidjson::Value s(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    out = compact(s);
    return true;
}

// JSONDict (`extra`): a JSON object. Message::set explodes it into extra.* keys.
bool JSONDict::is_valid(std::string_view v) const {
    rapidjson::Document doc;
    return parse_json(v, doc) && doc.IsObject();
}
bool JSONDict::sanitize(std::string_view v, std::string& out) const {
    rapidjson::Document doc;
    if (!parse_json(v, doc) || !doc.IsObject()) return false;
    out = compact(doc);
    return true;
}

}  // namespace sluice::types
