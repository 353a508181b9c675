// SPDX-License-Identifier: AGPL-3.0-or-later
#include "event_line.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sluice/codec.hpp>

namespace sluice::output_file {
namespace {

void append_whole_event(const LineFormat& format, const sluice::Message& event, std::string& out) {
    const std::string_view json = event.json(format.hierarchical);
    if (format.keep_raw_field && format.with_type) {
        out.append(json);
        return;
    }
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseFullPrecisionFlag>(json.data(), json.size());
    if (doc.HasParseError() || !doc.IsObject()) {
        throw std::runtime_error("the host gave an event that is not a JSON object");
    }
    if (!format.keep_raw_field) doc.RemoveMember("raw");
    if (!format.with_type) doc.RemoveMember("__type");
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
    doc.Accept(writer);
    out.append(buf.GetString(), buf.GetSize());
}

void append_output_field(std::string_view value, std::string& out) {
    rapidjson::Document doc;
    doc.Parse(value.data(), value.size());
    if (!doc.HasParseError() && doc.IsString()) {
        out.append(doc.GetString(), doc.GetStringLength());
    } else {
        out.append(value);
    }
}

}  // namespace

bool append_event_line(const LineFormat& format, const sluice::Message& event, std::string& out) {
    if (format.single_key.empty()) {
        append_whole_event(format, event, out);
    } else {
        const auto value = event.get(format.single_key);
        if (!value) return false;
        if (format.single_key == "raw") {
            try {
                out.append(sluice::base64::decode(*value));
            } catch (const sluice::base64::DecodeError& e) {
                throw sluice::RejectError(std::string("field raw: ") + e.what());
            }
        } else if (format.single_key == "output") {
            append_output_field(*value, out);
        } else {
            out.append(*value);
        }
    }
    out += '\n';
    return true;
}

}  // namespace sluice::output_file
