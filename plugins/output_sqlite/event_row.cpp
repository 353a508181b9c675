// SPDX-License-Identifier: AGPL-3.0-or-later
#include "event_row.hpp"

#include <rapidjson/writer.h>

#include <optional>
#include <stdexcept>

namespace sluice::output_sqlite {
namespace {

std::string_view view(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

}  // namespace

void EventRow::bind(std::string_view event_json, EventsTable& table) {
    doc_.reset();
    pool_.emplace(pool_buffer_.data(), pool_buffer_.size());
    auto& doc = doc_.emplace(&*pool_);
    doc.Parse<rapidjson::kParseFullPrecisionFlag>(event_json.data(), event_json.size());
    if (doc.HasParseError() || !doc.IsObject())
        throw std::runtime_error("the host gave an event that is not a JSON object");

    // First every column, since adding one prepares the INSERT again and drops its bindings.
    std::optional<int> extra_parameter;
    std::vector<std::optional<int>> parameters;
    parameters.reserve(doc.MemberCount());
    for (const auto& m : doc.GetObject()) {
        const std::string_view key = view(m.name);
        if (key == "__type") {
            parameters.emplace_back();
            continue;
        }
        parameters.push_back(table.parameter_for(key));
        if (key.starts_with("extra.")) extra_parameter = parameters.back();
    }

    Statement& insert = table.insert();
    insert.reset();
    texts_.clear();
    texts_.reserve(doc.MemberCount());
    extra_.Clear();
    rapidjson::Writer<rapidjson::StringBuffer> extra(extra_);
    if (extra_parameter) extra.StartObject();
    size_t i = 0;
    for (const auto& m : doc.GetObject()) {
        const std::optional<int> parameter = parameters[i++];
        if (!parameter) continue;
        const std::string_view key = view(m.name);
        const rapidjson::Value& v = m.value;
        if (key.starts_with("extra.")) {
            const std::string_view sub = key.substr(6);
            extra.Key(sub.data(), static_cast<rapidjson::SizeType>(sub.size()));
            v.Accept(extra);
        } else if (v.IsString()) {
            insert.bind_text(*parameter, view(v));
        } else if (v.IsBool()) {
            insert.bind_int(*parameter, v.GetBool() ? 1 : 0);
        } else if (v.IsInt64()) {
            insert.bind_int(*parameter, v.GetInt64());
        } else if (v.IsNumber()) {
            insert.bind_double(*parameter, v.GetDouble());
        } else if (v.IsNull()) {
            insert.bind_null(*parameter);
        } else {  // an object or array of a JSON-typed field ("output")
            rapidjson::StringBuffer buf;
            rapidjson::Writer<rapidjson::StringBuffer> w(buf);
            v.Accept(w);
            insert.bind_text(*parameter, texts_.emplace_back(buf.GetString(), buf.GetSize()));
        }
    }
    if (extra_parameter) {
        extra.EndObject();
        insert.bind_text(*extra_parameter, std::string_view(extra_.GetString(), extra_.GetSize()));
    }
}

}  // namespace sluice::output_sqlite
