// SPDX-License-Identifier: AGPL-3.0-or-later
#include "parser_config.hpp"

#include <rapidjson/document.h>

#include <string_view>

namespace sluice::csv {
namespace {

[[noreturn]] void bad(std::string_view name, std::string_view value, std::string_view why) {
    throw sluice::FatalError("parameter '" + std::string(name) + "' = " + std::string(value) + ": " + std::string(why));
}

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return std::string(s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1));
}

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    size_t begin = 0;
    for (;;) {
        const size_t at = s.find(sep, begin);
        out.emplace_back(s.substr(begin, at == std::string_view::npos ? std::string_view::npos : at - begin));
        if (at == std::string_view::npos) return out;
        begin = at + 1;
    }
}

// A JSON parameter as a document; absent and JSON null give a null document.
rapidjson::Document json_param(const sluice::Params& params, std::string_view name) {
    rapidjson::Document doc;
    const auto text = params.get(name);
    if (!text) return doc;  // kNullType
    doc.Parse(text->data(), text->size());
    if (doc.HasParseError()) bad(name, *text, "not valid JSON");
    return doc;
}

// An object of strings, given as an object or as a string holding one (IntelMQ accepts both);
// null and "" mean empty.
std::map<std::string, std::string, std::less<>> string_map_param(const sluice::Params& params, std::string_view name) {
    rapidjson::Document doc = json_param(params, name);
    std::map<std::string, std::string, std::less<>> out;
    if (doc.IsString()) {
        const std::string inner(doc.GetString(), doc.GetStringLength());
        if (trim(inner).empty()) return out;
        doc.Parse(inner.data(), inner.size());
        if (doc.HasParseError()) bad(name, inner, "not valid JSON");
    }
    if (doc.IsNull()) return out;
    if (!doc.IsObject()) bad(name, *params.get(name), "expected a JSON object of strings");
    // By index: comparing RapidJSON 1.1's member iterators is ambiguous in C++20 (clang warns).
    for (rapidjson::SizeType i = 0; i < doc.MemberCount(); ++i) {
        const auto& m = doc.MemberBegin()[i];
        if (!m.value.IsString()) {
            bad(name, *params.get(name), "the value of '" + std::string(m.name.GetString()) + "' is not a string");
        }
        out.emplace(std::string(m.name.GetString(), m.name.GetStringLength()),
                    std::string(m.value.GetString(), m.value.GetStringLength()));
    }
    return out;
}

std::optional<std::string> optional_string(const sluice::Params& params, std::string_view name) {
    const auto v = params.get(name);
    if (!v) return std::nullopt;
    return std::string(*v);
}

void load_columns(const sluice::Params& params, ParserConfig& cfg) {
    for (const std::string& item : params.list("columns")) {
        // A list item may itself be "a, b" when the host passed the string through unsplit.
        for (const std::string& spec : split(item, ',')) {
            Column col;
            col.spec = trim(spec);
            col.keys = split(col.spec, '|');
            for (auto& k : col.keys) k = trim(k);
            cfg.columns.push_back(std::move(col));
        }
    }
    if (cfg.columns.empty()) bad("columns", "[]", "at least one column is needed");

    const rapidjson::Document required = json_param(params, "columns_required");
    if (required.IsNull()) return;
    const std::string text(params.get("columns_required").value_or("null"));
    if (!required.IsArray()) bad("columns_required", text, "expected a list of booleans");
    if (required.Size() != cfg.columns.size()) {
        bad("columns_required", text,
            "has " + std::to_string(required.Size()) + " entries but 'columns' has " +
                std::to_string(cfg.columns.size()) + "; they must be the same length");
    }
    for (rapidjson::SizeType i = 0; i < required.Size(); ++i) {
        const auto& v = required[i];
        if (v.IsBool()) {
            cfg.columns[i].required = v.GetBool();
        } else if (v.IsInt()) {
            cfg.columns[i].required = v.GetInt() != 0;
        } else {
            bad("columns_required", text, "entry " + std::to_string(i) + " is not a boolean");
        }
    }
}

void load_skip_header(const sluice::Params& params, ParserConfig& cfg) {
    const rapidjson::Document doc = json_param(params, "skip_header");
    const std::string text(params.get("skip_header").value_or("false"));
    if (doc.IsNull()) return;
    if (doc.IsBool()) {
        cfg.skip_header = doc.GetBool() ? 1 : 0;
    } else if (doc.IsUint()) {
        cfg.skip_header = doc.GetUint();
    } else {
        bad("skip_header", text, "expected true, false or a number of lines");
    }
}

}  // namespace

ParserConfig load_config(const sluice::Params& params) {
    ParserConfig cfg;
    load_columns(params, cfg);
    load_skip_header(params, cfg);

    const std::string delimiter = params.string("delimiter", ",");
    if (delimiter.size() != 1 || static_cast<unsigned char>(delimiter[0]) >= 0x80 || delimiter[0] == '"' ||
        delimiter[0] == '\n' || delimiter[0] == '\r') {
        bad("delimiter", "'" + delimiter + "'", "must be a single ASCII character other than a quote or line break");
    }
    cfg.delimiter = delimiter[0];

    cfg.default_url_protocol = params.string("default_url_protocol", "http://");
    cfg.type = optional_string(params, "type");
    if (cfg.type && cfg.type->empty()) cfg.type.reset();
    cfg.type_translation = string_map_param(params, "type_translation");

    for (const auto& [key, conversion] : string_map_param(params, "data_type")) {
        if (conversion != "json") {
            bad("data_type", *params.get("data_type"),
                "unknown conversion '" + conversion + "' for '" + key + "'; the only one is \"json\"");
        }
        cfg.json_keys.insert(key);
    }
    for (const auto& [key, pattern] : string_map_param(params, "column_regex_search")) {
        try {
            cfg.column_regex_search.emplace(key, std::regex(pattern, std::regex::ECMAScript));
        } catch (const std::regex_error& e) {
            bad("column_regex_search", *params.get("column_regex_search"),
                "the pattern for '" + key + "' is not a valid regular expression: " + e.what());
        }
    }
    for (const auto& [key, tmpl] : string_map_param(params, "compose_fields")) {
        try {
            cfg.compose_fields.emplace_back(key, ComposeTemplate(tmpl));
        } catch (const std::invalid_argument& e) {
            bad("compose_fields", *params.get("compose_fields"), "the template for '" + key + "': " + e.what());
        }
    }

    const auto time_format = params.get("time_format");
    try {
        cfg.time_format = TimeFormat(time_format);
    } catch (const std::invalid_argument& e) {
        bad("time_format", "'" + std::string(*time_format) + "'", e.what());
    }

    cfg.filter_text = params.string("filter_text");
    const std::string filter_type = params.string("filter_type");
    if (filter_type == "whitelist") {
        cfg.filter_type = FilterType::whitelist;
    } else if (filter_type == "blacklist") {
        cfg.filter_type = FilterType::blacklist;
    } else if (!filter_type.empty()) {
        bad("filter_type", "'" + filter_type + "'", "expected \"whitelist\" or \"blacklist\"");
    }
    return cfg;
}

}  // namespace sluice::csv
