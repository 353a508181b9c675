// SPDX-License-Identifier: AGPL-3.0-or-later
#include "es_document.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace sluice::output_elasticsearch {
namespace {

using Alloc = rapidjson::Document::AllocatorType;

void flatten(rapidjson::Document& doc, const std::string& field) {
    auto it = doc.FindMember(field.c_str());
    if (it == doc.MemberEnd()) return;
    rapidjson::Document parsed(&doc.GetAllocator());
    rapidjson::Value* object = &it->value;
    if (it->value.IsString()) {  // as IntelMQ: a string is tried as JSON
        parsed.Parse(it->value.GetString(), it->value.GetStringLength());
        if (parsed.HasParseError() || !parsed.IsObject()) return;
        object = &parsed;
    }
    if (!object->IsObject()) return;
    rapidjson::Value spread(rapidjson::kObjectType);
    for (auto& m : object->GetObject()) {
        const std::string key = field + "_" + std::string(m.name.GetString(), m.name.GetStringLength());
        spread.AddMember(
            rapidjson::Value(key.c_str(), static_cast<rapidjson::SizeType>(key.size()), doc.GetAllocator()),
            rapidjson::Value(m.value, doc.GetAllocator()), doc.GetAllocator());
    }
    doc.RemoveMember(field.c_str());
    for (auto& m : spread.GetObject()) doc.AddMember(m.name, m.value, doc.GetAllocator());
}

rapidjson::Value replace_dots(rapidjson::Value& v, const std::string& with, Alloc& alloc) {
    if (!v.IsObject()) return rapidjson::Value(v, alloc);
    rapidjson::Value out(rapidjson::kObjectType);
    for (auto& m : v.GetObject()) {
        std::string key;
        for (char c : std::string_view(m.name.GetString(), m.name.GetStringLength())) {
            if (c == '.')
                key += with;
            else
                key += c;
        }
        out.AddMember(rapidjson::Value(key.c_str(), static_cast<rapidjson::SizeType>(key.size()), alloc),
                      replace_dots(m.value, with, alloc), alloc);
    }
    return out;
}

}  // namespace

std::string es_document(const sluice::Message& event, const DocumentShape& shape) {
    const std::string_view json = event.json(shape.hierarchical);
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseFullPrecisionFlag>(json.data(), json.size());
    if (doc.HasParseError() || !doc.IsObject())
        throw std::runtime_error("the host gave an event that is not a JSON object");
    doc.RemoveMember("__type");
    for (const std::string& field : shape.flatten_fields) flatten(doc, field);
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
    if (!shape.replacement_char.empty() && shape.replacement_char != ".") {
        rapidjson::Value replaced = replace_dots(doc, shape.replacement_char, doc.GetAllocator());
        replaced.Accept(writer);
    } else {
        doc.Accept(writer);
    }
    return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace sluice::output_elasticsearch
