// SPDX-License-Identifier: AGPL-3.0-or-later
#include "event_body.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sluice::output_restapi {
namespace {

void percent_encode(std::string_view s, std::string& out) {
    static constexpr char hex[] = "0123456789ABCDEF";
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += char(c);
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
}

}  // namespace

std::string event_json(const sluice::Message& event, bool hierarchical) {
    const std::string_view json = event.json(hierarchical);
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseFullPrecisionFlag>(json.data(), json.size());
    if (doc.HasParseError() || !doc.IsObject())
        throw std::runtime_error("the host gave an event that is not a JSON object");
    doc.RemoveMember("__type");
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
    doc.Accept(writer);
    return std::string(buf.GetString(), buf.GetSize());
}

std::string event_form(const sluice::Message& event) {
    std::string out;
    event.for_each([&](std::string_view key, std::string_view value) {
        if (key == "__type") return;
        if (!out.empty()) out += '&';
        percent_encode(key, out);
        out += '=';
        percent_encode(value, out);
    });
    return out;
}

}  // namespace sluice::output_restapi
