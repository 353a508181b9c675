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

// RapidJSON parses (and Accept() writes) recursively: a frame of 200,000 '[' would overflow the
// stack of the host. Nothing an IntelMQ event holds is nested this deep, so deeper is "not JSON".
constexpr int kMaxDepth = 64;

bool nested_too_deep(std::string_view payload) {
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < payload.size(); ++i) {
        const char c = payload[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxDepth) return true;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

}  // namespace

ReceivedKind received_kind(std::string_view payload) {
    if (nested_too_deep(payload)) return ReceivedKind::not_a_message;
    rapidjson::Document doc;
    doc.Parse(payload.data(), payload.size());
    if (doc.HasParseError() || !doc.IsObject()) return ReceivedKind::not_a_message;
    const auto type = doc.FindMember("__type");
    if (type != doc.MemberEnd() && type->value.IsString() && std::string_view(type->value.GetString()) == "Report")
        return ReceivedKind::report;
    return ReceivedKind::event;
}

std::optional<std::string> fill_message(std::string_view payload, sluice::Message& msg) {
    if (nested_too_deep(payload)) return std::string("JSON nested deeper than 64 levels");
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
