// SPDX-License-Identifier: AGPL-3.0-or-later
//
// parser_json: IntelMQ's JSON parser (intelmq/bots/parsers/json/parser.py). The report's raw holds
// messages in IntelMQ's own JSON format: the whole text is one message, or, with `splitlines`,
// every line is one. Each becomes an Event that starts from the report (feed.*, time.observation,
// rtir_id) and takes the message's fields over them; its raw is the message's own raw, else the
// line itself. A line that is not a JSON object or has a field the harmonization refuses is handed
// to the host with fail_record (reason naming the line and the field); the other lines go on.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sluice/bot.hpp>
#include <sluice/codec.hpp>
#include <sluice/parser_kit.hpp>

#include <string>
#include <vector>

namespace {

std::string compact(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

class JsonParser {
 public:
    JsonParser(const sluice::Params& params, sluice::Context&) : splitlines_(params.boolean("splitlines")) {}

    sluice::Status process(sluice::Message& report, sluice::Context& ctx) {
        const auto text = sluice::parser::report_text(report, ctx);
        if (!text) return sluice::Status::ok;
        const std::vector<sluice::parser::Line> lines =
            splitlines_ ? sluice::parser::split_lines(*text) : std::vector<sluice::parser::Line>{{*text, 1}};
        sluice::parser::Records records(report, ctx);
        for (const auto& line : lines) {
            if (blank(line.text)) continue;
            const std::string where = splitlines_ ? "line " + std::to_string(line.number) : std::string("report");
            records.add(line.text, where, [&](sluice::Message& event) { return fill(event, line.text); });
        }
        return sluice::Status::ok;
    }

 private:
    // Sets the event's fields from one message; the reason it cannot, or "" when done.
    static std::string fill(sluice::Message& event, std::string_view line) {
        rapidjson::Document doc;
        doc.Parse(line.data(), line.size());
        if (doc.HasParseError())
            return std::string("not valid JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                   std::to_string(doc.GetErrorOffset());
        if (!doc.IsObject()) return "not a JSON object";
        bool has_raw = false;
        for (const auto& m : doc.GetObject()) {
            const std::string_view key(m.name.GetString(), m.name.GetStringLength());
            if (key == "__type") {
                if (!m.value.IsString() || (std::string_view(m.value.GetString()) != "Event" &&
                                            std::string_view(m.value.GetString()) != "Report"))
                    return "field '__type': must be \"Event\" or \"Report\", got " + compact(m.value);
                continue;
            }
            if (m.value.IsNull()) continue;  // None: ignored, as by IntelMQ's Message.add
            try {
                if (key == "raw" && m.value.IsString()) {
                    set_raw(event, std::string_view(m.value.GetString(), m.value.GetStringLength()));
                } else if (m.value.IsString()) {
                    event.set(key, std::string_view(m.value.GetString(), m.value.GetStringLength()), sluice::overwrite);
                } else {
                    event.set(key, compact(m.value), sluice::overwrite | sluice::json);
                }
            } catch (const sluice::FieldError& e) {
                return e.what();
            }
            has_raw = has_raw || key == "raw";
        }
        if (!has_raw) event.set("raw", line, sluice::overwrite);
        return {};
    }

    // The message's raw is base64 already: IntelMQ keeps a valid value as it is (add with
    // sanitize=False first). The host encodes what a bot sets, so hand it the decoded text, which
    // encodes back to the same value; anything else is encoded, as IntelMQ's sanitize does.
    static void set_raw(sluice::Message& event, std::string_view value) {
        std::string decoded;
        try {
            decoded = sluice::base64::decode(value);
        } catch (const sluice::base64::DecodeError&) {
            event.set("raw", value, sluice::overwrite);
            return;
        }
        event.set("raw", decoded, sluice::overwrite);
    }

    bool splitlines_;
};

}  // namespace

SLUICE_EXPORT_BOT(JsonParser, SLUICE_KIND_PARSER, "parser_json", "1.0.0",
                  "IntelMQ's JSON parser: messages in IntelMQ's JSON format become events",
                  SLUICE_PARAM("splitlines", SLUICE_PARAM_BOOL, 0, "false",
                               "Every line of the report is one message (JSON lines); otherwise the whole report is "
                               "one"))
