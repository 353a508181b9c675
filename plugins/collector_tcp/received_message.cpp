// SPDX-License-Identifier: AGPL-3.0-or-later
#include "received_message.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sluice/codec.hpp>

namespace sluice::collector_tcp {
namespace {

std::string compact(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

void set_field(sluice::Message& msg, const std::string& key, const rapidjson::Value& value) {
    if (key == "raw" && value.IsString()) {
        // raw travels base64-encoded and the harmonization encodes what it is given: hand it the
        // decoded bytes, so it is not encoded twice.
        const std::string_view text(value.GetString(), value.GetStringLength());
        try {
            msg.set(key, sluice::base64::decode(text), sluice::overwrite);
            return;
        } catch (const sluice::base64::DecodeError&) {
            // not base64 after all: the harmonization encodes the text as it is
        }
        msg.set(key, text, sluice::overwrite);
        return;
    }
    msg.set(key, compact(value), sluice::overwrite | sluice::json);
}

// Nested objects (hierarchical_output) become dotted keys, down to extra, whose object the host
// splits into extra.* keys itself.
void set_members(sluice::Message& msg, const rapidjson::Value& object, const std::string& prefix) {
    for (const auto& m : object.GetObject()) {
        const std::string key = prefix + std::string(m.name.GetString(), m.name.GetStringLength());
        if (key == "__type" || m.value.IsNull()) continue;
        if (m.value.IsObject() && key != "extra" && !key.starts_with("extra.")) {
            set_members(msg, m.value, key + ".");
        } else {
            set_field(msg, key, m.value);
        }
    }
}

}  // namespace

ReceivedKind received_kind(std::string_view payload) {
    rapidjson::Document doc;
    doc.Parse(payload.data(), payload.size());
    if (doc.HasParseError() || !doc.IsObject()) return ReceivedKind::not_a_message;
    const auto type = doc.FindMember("__type");
    if (type != doc.MemberEnd() && type->value.IsString() && std::string_view(type->value.GetString()) == "Report")
        return ReceivedKind::report;
    return ReceivedKind::event;
}

std::optional<std::string> fill_message(std::string_view payload, sluice::Message& msg) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseFullPrecisionFlag>(payload.data(), payload.size());
    if (doc.HasParseError() || !doc.IsObject()) return std::string("not a JSON object");
    try {
        set_members(msg, doc, "");
    } catch (const sluice::FieldError& e) {
        return std::string(e.what());
    }
    return std::nullopt;
}

}  // namespace sluice::collector_tcp
