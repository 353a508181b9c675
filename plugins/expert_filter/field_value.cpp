// SPDX-License-Identifier: AGPL-3.0-or-later
#include "field_value.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sluice::filter {
namespace {

std::string compact(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

bool numeric(const rapidjson::Value& v) { return v.IsNumber() || v.IsBool(); }

double as_double(const rapidjson::Value& v) { return v.IsBool() ? (v.GetBool() ? 1.0 : 0.0) : v.GetDouble(); }

}  // namespace

bool typed_field(const sluice::Message& event, std::string_view key, rapidjson::Document& out) {
    const std::string_view json = event.json();
    rapidjson::Document whole;
    whole.Parse(json.data(), json.size());
    if (whole.HasParseError() || !whole.IsObject()) return false;
    const auto it = whole.FindMember(rapidjson::StringRef(key.data(), key.size()));
    if (it == whole.MemberEnd()) return false;
    out.CopyFrom(it->value, out.GetAllocator());
    return true;
}

bool python_equal(const rapidjson::Value& a, const rapidjson::Value& b) {
    if (numeric(a) && numeric(b)) {
        if (a.IsInt64() && b.IsInt64()) return a.GetInt64() == b.GetInt64();
        if (a.IsBool() && b.IsBool()) return a.GetBool() == b.GetBool();
        return as_double(a) == as_double(b);
    }
    return a == b;
}

std::string python_str(const rapidjson::Value& v) {
    if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
    if (v.IsBool()) return v.GetBool() ? "True" : "False";
    if (v.IsNull()) return "None";
    return compact(v);
}

}  // namespace sluice::filter
