// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/params.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <span>

namespace sluice {
namespace {

std::string compact(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t");
    const auto e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Converts one JSON value to the declared type; false with `why` on a mismatch.
bool convert(const sluice_param_def& def, const rapidjson::Value& v, ParamValue& out, std::string& why) {
    switch (def.type) {
        case SLUICE_PARAM_STRING:
            // Not a number or a boolean in its place: `delimiter = 5` is a mistake `check` must
            // catch, not the text "5" that makes every row fail at run time.
            if (!v.IsString()) return why = "expected a string", false;
            out.text.assign(v.GetString(), v.GetStringLength());
            return true;
        case SLUICE_PARAM_INT:
            if (v.IsInt64())
                out.text = std::to_string(v.GetInt64());
            else if (v.IsString() && !std::string(v.GetString()).empty() &&
                     std::all_of(v.GetString(), v.GetString() + v.GetStringLength(),
                                 [](char c) { return (c >= '0' && c <= '9') || c == '-'; }))
                out.text = v.GetString();
            else
                return why = "expected an integer", false;
            return true;
        case SLUICE_PARAM_FLOAT:
            if (!v.IsNumber()) return why = "expected a number", false;
            out.text = compact(v);
            return true;
        case SLUICE_PARAM_BOOL:
            if (v.IsBool())
                out.text = v.GetBool() ? "true" : "false";
            else if (v.IsString() && (std::string(v.GetString()) == "true" || std::string(v.GetString()) == "false"))
                out.text = v.GetString();
            else
                return why = "expected true or false", false;
            return true;
        case SLUICE_PARAM_STRING_LIST:
            if (v.IsArray()) {
                for (const auto& item : v.GetArray()) {
                    if (!item.IsString()) return why = "expected a list of strings", false;
                    out.list.emplace_back(item.GetString(), item.GetStringLength());
                }
            } else if (v.IsString()) {  // IntelMQ accepts "a, b, c" as well
                std::string s(v.GetString(), v.GetStringLength());
                for (size_t start = 0; start <= s.size();) {
                    size_t comma = s.find(',', start);
                    if (comma == std::string::npos) comma = s.size();
                    std::string item = trim(s.substr(start, comma - start));
                    if (!item.empty() || comma != s.size() || !out.list.empty()) out.list.push_back(item);
                    start = comma + 1;
                }
            } else {
                return why = "expected a list of strings", false;
            }
            out.text = compact(v);
            return true;
        case SLUICE_PARAM_JSON:
            out.text = compact(v);
            return true;
        default:
            return why = "the plugin declares an unknown parameter type " + std::to_string(def.type), false;
    }
}

}  // namespace

const char* param_type_name(uint32_t type) {
    switch (type) {
        case SLUICE_PARAM_STRING:
            return "string";
        case SLUICE_PARAM_INT:
            return "integer";
        case SLUICE_PARAM_FLOAT:
            return "float";
        case SLUICE_PARAM_BOOL:
            return "boolean";
        case SLUICE_PARAM_STRING_LIST:
            return "list of strings";
        case SLUICE_PARAM_JSON:
            return "JSON";
        default:
            return "unknown";
    }
}

std::string param_table_markdown(const sluice_bot_desc& desc) {
    auto cell = [](std::string_view text) {
        std::string out;
        for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
        return out;
    };
    std::string md = "| name | type | default | help |\n|---|---|---|---|\n";
    for (size_t i = 0; i < desc.param_count; ++i) {
        const sluice_param_def& p = desc.params[i];
        md +=
            "| `" + std::string(p.name) + "` | " + param_type_name(p.type) + (p.required ? " (required)" : "") + " | ";
        if (p.default_value) md += "`" + cell(p.default_value) + "`";
        md += " | " + cell(p.help ? p.help : "") + " |\n";
    }
    return md;
}

sluice_params validate_params(const sluice_bot_desc& desc, std::string_view given_json,
                              std::vector<std::string>& errors) {
    sluice_params result;
    rapidjson::Document given;
    given.Parse(given_json.data(), given_json.size());
    if (given.HasParseError() || !given.IsObject()) {
        errors.push_back("parameters must be a table of name = value");
        return result;
    }
    const std::span<const sluice_param_def> table(desc.params, desc.param_count);
    for (const auto& m : given.GetObject()) {
        const std::string name(m.name.GetString(), m.name.GetStringLength());
        if (std::none_of(table.begin(), table.end(), [&](const sluice_param_def& d) { return name == d.name; })) {
            std::string known;
            for (const auto& d : table) known += (known.empty() ? "" : ", ") + std::string(d.name);
            errors.push_back("parameter '" + name + "' is not a parameter of " + desc.name +
                             (known.empty() ? " (it takes none)" : " (known: " + known + ")"));
        }
    }
    for (const auto& def : table) {
        ParamValue value{def.name, {}, {}};
        std::string why;
        if (auto it = given.FindMember(def.name); it != given.MemberEnd() && !it->value.IsNull()) {
            if (!convert(def, it->value, value, why)) {
                // The value is shown to help, except where it may be a secret.
                const std::string name(def.name);
                const bool secret = name.find("password") != std::string::npos ||
                                    name.find("token") != std::string::npos ||
                                    name.find("secret") != std::string::npos || name.find("key") != std::string::npos;
                errors.push_back("parameter '" + name + "': " + why + " (" + param_type_name(def.type) + "), got " +
                                 (secret ? std::string("a value not shown") : compact(it->value)));
                continue;
            }
        } else if (def.required) {
            errors.push_back("parameter '" + std::string(def.name) + "' is required: " + (def.help ? def.help : ""));
            continue;
        } else if (def.default_value) {
            rapidjson::Document d;
            d.Parse(def.default_value);
            if (d.HasParseError() || !convert(def, d, value, why)) {
                errors.push_back("parameter '" + std::string(def.name) + "': the plugin's default " +
                                 def.default_value + " is not valid JSON of its type");
                continue;
            }
        } else {
            continue;  // optional, no default: the bot sees "no value"
        }
        result.values.push_back(std::move(value));
    }
    return result;
}

}  // namespace sluice
