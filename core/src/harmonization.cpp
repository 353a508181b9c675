// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/harmonization.hpp"

#include <rapidjson/document.h>

#include <toml++/toml.h>
#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sluice {
namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what) {
    throw std::runtime_error(file.string() + ": " + what);
}

FieldSpec make_spec(const std::filesystem::path& file, const std::string& section, const std::string& key,
                    std::string_view type_name, int64_t length, const std::string& regex, bool icase) {
    FieldSpec spec;
    spec.type = find_field_type(type_name);
    if (!spec.type)
        fail(file, section + "." + key + ": unknown type '" + std::string(type_name) +
                       "' (known: String, LowercaseString, UppercaseString, Integer, Float, Accuracy, ASN, Boolean, "
                       "IPAddress, IPNetwork, FQDN, URL, DateTime, ClassificationType, ClassificationTaxonomy, "
                       "Registry, TLP, Base64, JSON, JSONDict)");
    if (length < 0) fail(file, section + "." + key + ": length must not be negative");
    spec.max_length = static_cast<size_t>(length);
    if (regex == "^.*[^\\.]$" && !icase) {
        spec.shortcut = FieldSpec::Shortcut::no_trailing_dot;
        spec.pattern_text = regex;
    } else if (regex == "^[ -~]+$" && !icase) {
        spec.shortcut = FieldSpec::Shortcut::printable_ascii;
        spec.pattern_text = regex;
    } else if (!regex.empty()) {
        try {
            auto flags = std::regex::ECMAScript | std::regex::optimize;
            if (icase) flags |= std::regex::icase;
            spec.pattern.emplace(regex, flags);
            spec.pattern_text = regex;
        } catch (const std::regex_error& e) {
            fail(file, section + "." + key + ": bad regex: " + e.what());
        }
    }
    return spec;
}

}  // namespace

Harmonization Harmonization::load(const std::filesystem::path& file) {
    const auto ext = file.extension().string();
    if (ext == ".json" || ext == ".conf") return load_intelmq_json(file);
    return load_toml(file);
}

Harmonization Harmonization::load_toml(const std::filesystem::path& file) {
    toml::table root;
    try {
        root = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        std::ostringstream os;
        os << "line " << e.source().begin.line << ", column " << e.source().begin.column << ": " << e.description();
        fail(file, os.str());
    }
    Harmonization h;
    for (auto&& [section_key, section_node] : root) {
        const std::string section(section_key.str());
        Table* table = section == "event" ? &h.event_ : section == "report" ? &h.report_ : nullptr;
        if (!table) fail(file, "unknown section [" + section + "] (expected [event.\"key\"] or [report.\"key\"])");
        const auto* fields = section_node.as_table();
        if (!fields) fail(file, "[" + section + "] must be a table of keys");
        for (auto&& [key, node] : *fields) {
            const auto* def = node.as_table();
            const std::string k(key.str());
            if (!def) fail(file, section + "." + k + ": must be a table with a type");
            auto type = (*def)["type"].value<std::string>();
            if (!type) fail(file, section + "." + k + ": missing type");
            std::string regex = (*def)["regex"].value_or(std::string());
            std::string iregex = (*def)["iregex"].value_or(std::string());
            table->emplace(k, make_spec(file, section, k, *type, (*def)["length"].value_or(int64_t{0}),
                                        iregex.empty() ? regex : iregex, !iregex.empty()));
        }
    }
    if (h.event_.empty()) fail(file, "no [event.*] keys defined");
    return h;
}

Harmonization Harmonization::load_intelmq_json(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) fail(file, "cannot open");
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    if (doc.HasParseError() || !doc.IsObject()) fail(file, "not a JSON object");
    Harmonization h;
    for (auto& section : doc.GetObject()) {
        const std::string name = section.name.GetString();
        Table* table = name == "event" ? &h.event_ : name == "report" ? &h.report_ : nullptr;
        if (!table || !section.value.IsObject()) continue;
        for (auto& field : section.value.GetObject()) {
            const std::string k = field.name.GetString();
            const auto& def = field.value;
            if (!def.IsObject() || !def.HasMember("type") || !def["type"].IsString())
                fail(file, name + "." + k + ": missing type");
            const int64_t length = def.HasMember("length") && def["length"].IsInt64() ? def["length"].GetInt64() : 0;
            const bool icase = def.HasMember("iregex") && def["iregex"].IsString();
            std::string regex = icase                                               ? def["iregex"].GetString()
                                : def.HasMember("regex") && def["regex"].IsString() ? def["regex"].GetString()
                                                                                    : "";
            table->emplace(k, make_spec(file, name, k, def["type"].GetString(), length, regex, icase));
        }
    }
    if (h.event_.empty()) fail(file, "no event keys defined");
    return h;
}

bool FieldSpec::matches(std::string_view value) const {
    switch (shortcut) {
        case Shortcut::no_trailing_dot:
            // ^.*[^\.]$ : the last character is not a dot, and no newline before it (. stops at one).
            return !value.empty() && value.back() != '.' &&
                   value.substr(0, value.size() - 1).find('\n') == std::string_view::npos;
        case Shortcut::printable_ascii:
            return !value.empty() &&
                   std::all_of(value.begin(), value.end(), [](char c) { return c >= ' ' && c <= '~'; });
        case Shortcut::none:
            break;
    }
    return !pattern || std::regex_search(value.begin(), value.end(), *pattern);
}

const FieldSpec* Harmonization::find(MessageType type, std::string_view key) const {
    const Table& t = fields(type);
    if (auto it = t.find(key); it != t.end()) return &it->second;
    if (key.size() > 6 && key.substr(0, 6) == "extra.") {
        if (auto it = t.find(std::string_view("extra")); it != t.end()) return &it->second;
    }
    return nullptr;
}

}  // namespace sluice
