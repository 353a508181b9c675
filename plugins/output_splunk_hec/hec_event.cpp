// SPDX-License-Identifier: AGPL-3.0-or-later
#include "hec_event.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>

#include "iso_time.hpp"

namespace sluice::output_splunk_hec {
namespace {

void add_string(rapidjson::Writer<rapidjson::StringBuffer>& w, const char* key, const std::string& value) {
    if (value.empty()) return;
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

}  // namespace

std::string hec_event(const sluice::Message& event, const HecMetadata& meta) {
    const std::string_view json = event.json(meta.hierarchical);
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseFullPrecisionFlag>(json.data(), json.size());
    if (doc.HasParseError() || !doc.IsObject())
        throw std::runtime_error("the host gave an event that is not a JSON object");
    doc.RemoveMember("__type");

    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    std::optional<sluice::bot_time::Micros> time;
    if (auto t = event.get("time.source")) time = sluice::bot_time::parse_datetime(*t);
    if (!time) {
        if (auto t = event.get("time.observation")) time = sluice::bot_time::parse_datetime(*t);
    }
    if (time) {
        // Seconds with up to microseconds, written exactly (no binary floating point rounding).
        const long long secs = *time >= 0 ? *time / 1000000 : -((-*time + 999999) / 1000000);
        const long long micros = *time - secs * 1000000;
        char text[48];
        const int n = micros ? std::snprintf(text, sizeof text, "%lld.%06lld", secs, micros)
                             : std::snprintf(text, sizeof text, "%lld", secs);
        w.Key("time");
        w.RawValue(text, static_cast<size_t>(n), rapidjson::kNumberType);
    }
    add_string(w, "host", meta.host);
    add_string(w, "source", meta.source);
    add_string(w, "sourcetype", meta.sourcetype);
    add_string(w, "index", meta.index);
    w.Key("event");
    doc.Accept(w);
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize());
}

HecAnswer parse_hec_answer(std::string_view body) {
    HecAnswer a;
    rapidjson::Document d;
    d.Parse(body.data(), body.size());
    if (d.HasParseError() || !d.IsObject()) return a;
    auto code = d.FindMember("code");
    if (code == d.MemberEnd() || !code->value.IsInt()) return a;
    a.code = code->value.GetInt();
    auto text = d.FindMember("text");
    if (text != d.MemberEnd() && text->value.IsString()) a.text = text->value.GetString();
    auto n = d.FindMember("invalid-event-number");
    if (n != d.MemberEnd() && n->value.IsInt64()) a.invalid_event = static_cast<long>(n->value.GetInt64());
    return a;
}

}  // namespace sluice::output_splunk_hec
