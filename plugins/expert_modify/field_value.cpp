// SPDX-License-Identifier: AGPL-3.0-or-later
#include "field_value.hpp"

namespace sluice::modify {
namespace {

bool numeric(const rapidjson::Value& v) { return v.IsNumber() || v.IsBool(); }
double as_double(const rapidjson::Value& v) { return v.IsBool() ? (v.GetBool() ? 1.0 : 0.0) : v.GetDouble(); }
int64_t as_int(const rapidjson::Value& v) { return v.IsBool() ? (v.GetBool() ? 1 : 0) : v.GetInt64(); }
bool integral(const rapidjson::Value& v) { return v.IsBool() || v.IsInt64(); }

}  // namespace

const rapidjson::Value* TypedFields::find(std::string_view key) {
    if (!parsed_) {
        const std::string_view json = event_.json();
        doc_.Parse(json.data(), json.size());
        parsed_ = true;
    }
    if (doc_.HasParseError() || !doc_.IsObject()) return nullptr;
    const auto it = doc_.FindMember(rapidjson::StringRef(key.data(), key.size()));
    return it == doc_.MemberEnd() ? nullptr : &it->value;
}

std::optional<std::string> TypedFields::python_str(std::string_view key) {
    const auto text = event_.get(key);
    if (!text) return std::nullopt;
    // Only a text that could be a boolean needs the type; numbers are stored as Python prints them.
    if (*text == "true" || *text == "false") {
        const rapidjson::Value* v = find(key);
        if (v && v->IsBool()) return std::string(v->GetBool() ? "True" : "False");
    }
    return std::string(*text);
}

bool TypedFields::equals(std::string_view key, const rapidjson::Value& value) {
    const rapidjson::Value* v = find(key);
    if (!v) return false;
    if (numeric(*v) && numeric(value)) {
        if (integral(*v) && integral(value)) return as_int(*v) == as_int(value);
        return as_double(*v) == as_double(value);
    }
    return *v == value;
}

}  // namespace sluice::modify
