// SPDX-License-Identifier: AGPL-3.0-or-later
//
// parser_abusech_feodotracker: IntelMQ's abuse.ch Feodo Tracker parser
// (intelmq/bots/parsers/abusech/parser_feodotracker.py) for the JSON feed: the report's raw is a
// JSON list of objects, one C2 server each. Every object becomes one c2-server event:
//   ip_address -> source.ip, port -> source.port (both required: a refused value fails the record)
//   as_number -> source.asn, as_name -> source.as_name, country -> source.geolocation.cc,
//   hostname -> source.reverse_dns, malware -> malware.name, last_online -> extra.last_online,
//   status -> status (each left out when the harmonization refuses it)
//   first_seen ("%Y-%m-%d %H:%M:%S"), else last_online ("%Y-%m-%d", at midnight) -> time.source
//   raw = json.dumps([object]) as Python writes it.
// A record that is not an object or whose required field is refused is handed to the host
// (fail_record) with the reason; the other records go on.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sluice/bot.hpp>
#include <sluice/codec.hpp>
#include <sluice/parser_kit.hpp>

#include <string>

#include "python_json.hpp"
#include "strict_time.hpp"

namespace {

using namespace sluice::feodo;

std::string compact(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

const rapidjson::Value* member(const rapidjson::Value& obj, const char* name) {
    const auto it = obj.FindMember(name);
    return it == obj.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
}

// Python truthiness of a JSON value that is present.
bool truthy(const rapidjson::Value* v) {
    if (!v) return false;
    if (v->IsString()) return v->GetStringLength() > 0;
    if (v->IsBool()) return v->GetBool();
    if (v->IsNumber()) return v->GetDouble() != 0.0;
    if (v->IsArray()) return !v->Empty();
    return v->IsObject() && v->MemberCount() > 0;
}

// IntelMQ's event.add(key, value[, raise_failure]): strings as text, other values as JSON, null
// ignored. `required` fields throw FieldError when refused; the others are left out.
void add(sluice::Message& event, const char* key, const rapidjson::Value* v, bool required) {
    if (!v) return;
    const std::string json_text = v->IsString() ? std::string() : compact(*v);
    const std::string_view value = v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : json_text;
    const uint32_t flags = v->IsString() ? sluice::none : sluice::json;
    if (required)
        event.set(key, value, flags);
    else
        event.try_set(key, value, flags);
}

class FeodoTrackerParser {
 public:
    FeodoTrackerParser(const sluice::Params&, sluice::Context&) {}

    sluice::Status process(sluice::Message& report, sluice::Context& ctx) {
        const auto text = sluice::parser::report_text(report, ctx);
        if (!text) return sluice::Status::ok;
        rapidjson::Document doc;
        doc.Parse(text->c_str(), text->size());
        if (doc.HasParseError())
            throw sluice::RejectError(std::string("report raw is not JSON: ") +
                                      rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                                      std::to_string(doc.GetErrorOffset()));
        if (!doc.IsArray()) throw sluice::RejectError("report raw is not a JSON list of records");

        sluice::parser::Records records(report, ctx);
        size_t index = 0;
        std::string recovered;  // json.dumps([record]), for raw
        for (auto& record : doc.GetArray()) {
            const std::string where = "record " + std::to_string(++index);
            if (!record.IsObject()) {
                records.fail(compact(record), where + ": not a JSON object");
                continue;
            }
            recovered.assign("[");
            append_python_json(record, recovered);
            recovered.append("]");
            records.add(recovered, where, [&](sluice::Message& event) {
                fill(event, record, recovered, ctx);
                return std::string();
            });
        }
        return sluice::Status::ok;
    }

 private:
    static void fill(sluice::Message& event, const rapidjson::Value& record, const std::string& recovered,
                     sluice::Context& ctx) {
        const rapidjson::Value* first_seen = member(record, "first_seen");
        const rapidjson::Value* last_online = member(record, "last_online");
        if (truthy(first_seen)) {
            const auto t = first_seen->IsString() ? from_date_time(first_seen->GetString()) : std::nullopt;
            if (t)
                event.try_set("time.source", *t);
            else
                ctx.warning("failed to parse '" + compact(*first_seen) + "' to DateTime");
        } else if (truthy(last_online)) {
            const auto t = last_online->IsString() ? from_date_midnight(last_online->GetString()) : std::nullopt;
            if (t)
                event.try_set("time.source", *t);
            else
                ctx.warning("failed to parse '" + compact(*last_online) + "' to DateTime");
        }
        event.set("classification.type", "c2-server");
        add(event, "source.ip", member(record, "ip_address"), true);
        add(event, "source.port", member(record, "port"), true);
        add(event, "source.asn", member(record, "as_number"), false);
        add(event, "source.as_name", member(record, "as_name"), false);
        add(event, "source.geolocation.cc", member(record, "country"), false);
        add(event, "source.reverse_dns", member(record, "hostname"), false);
        add(event, "malware.name", member(record, "malware"), false);
        add(event, "extra.last_online", last_online, false);
        add(event, "status", member(record, "status"), false);
        event.set("raw", recovered);
    }
};

}  // namespace

SLUICE_EXPORT_BOT(FeodoTrackerParser, SLUICE_KIND_PARSER, "parser_abusech_feodotracker", "1.0.0",
                  "IntelMQ's abuse.ch Feodo Tracker parser (JSON feed): one c2-server event per listed server")
