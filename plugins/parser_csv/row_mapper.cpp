// SPDX-License-Identifier: AGPL-3.0-or-later
#include "row_mapper.hpp"

#include <optional>
#include <string_view>

#include <sluice/quote.hpp>

namespace sluice::csv {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string where(size_t column, const Column& col) {
    return "column " + std::to_string(column + 1) + " (" + col.spec + ")";
}

// What trying one key did.
enum class Outcome { accepted, refused };

Outcome try_key(const ParserConfig& cfg, size_t column, const Column& col, const std::string& key,
                std::string_view original, sluice::Message& event) {
    std::optional<std::string> value{std::string(original)};

    if (auto re = cfg.column_regex_search.find(key); re != cfg.column_regex_search.end()) {
        std::smatch m;
        if (std::regex_search(*value, m, re->second)) {
            value = m.str(0);
        } else {
            value.reset();  // IntelMQ: None, which sets nothing
        }
    }
    if (key == "__IGNORE__" || key.empty()) return Outcome::accepted;

    uint32_t flags = sluice::none;
    if (cfg.json_keys.count(key) != 0) {
        if (!value) throw RowError(where(column, col) + ": no match of column_regex_search for JSON key '" + key + "'");
        flags = sluice::json;
    } else if (key == "time.source" || key == "time.destination") {
        if (!value) throw RowError(where(column, col) + ": no match of column_regex_search for '" + key + "'");
        try {
            value = cfg.time_format.convert(*value);
        } catch (const TimeParseError& e) {
            throw RowError(where(column, col) + ": cannot read '" + std::string(original) + "' as " + key + ": " +
                           e.what());
        }
    } else if (ends_with(key, ".url")) {
        if (!value || value->empty()) return Outcome::refused;
        if (value->find("://") == std::string::npos) value = cfg.default_url_protocol + *value;
    } else if (key == "classification.type" && !cfg.type_translation.empty()) {
        if (auto t = cfg.type_translation.find(*value); t != cfg.type_translation.end()) {
            value = t->second;
        } else if (!cfg.type) {
            return Outcome::refused;
        }
    }
    if (!value) return Outcome::accepted;

    switch (event.try_set(key, *value, flags)) {
        case SLUICE_FIELD_OK:
        case SLUICE_FIELD_IGNORED:
            return Outcome::accepted;
        case SLUICE_FIELD_EXISTS:
            throw RowError(where(column, col) + ": key '" + key + "' was already set by an earlier column");
        case SLUICE_FIELD_UNKNOWN_KEY:
            throw RowError(where(column, col) + ": key '" + key + "' is not in the harmonization");
        default:
            return Outcome::refused;
    }
}

}  // namespace

void map_row(const ParserConfig& cfg, const std::vector<std::string>& row, sluice::Message& event) {
    for (size_t i = 0; i < cfg.columns.size(); ++i) {
        const Column& col = cfg.columns[i];
        if (i >= row.size()) {
            if (col.required && !col.ignored()) {
                throw RowError(where(i, col) + ": missing, the row has " + std::to_string(row.size()) +
                               " fields and 'columns' names " + std::to_string(cfg.columns.size()));
            }
            continue;
        }
        const std::string& value = row[i];
        if (value.empty()) continue;  // an empty value is never an error, as in IntelMQ
        bool accepted = false;
        for (const std::string& key : col.keys) {
            if (try_key(cfg, i, col, key, value, event) == Outcome::accepted) {
                accepted = true;
                break;
            }
        }
        if (!accepted && col.required) {
            throw RowError(where(i, col) + ": invalid value '" + quote_prefix(value) + "' for " +
                           (col.keys.size() > 1 ? "any of the keys " : "key ") + col.spec);
        }
    }

    for (const auto& [key, tmpl] : cfg.compose_fields) {
        std::string value;
        try {
            value = tmpl.render(row);
        } catch (const std::out_of_range& e) {
            throw RowError("compose_fields '" + key + "': " + e.what());
        }
        switch (event.try_set(key, value)) {
            case SLUICE_FIELD_OK:
            case SLUICE_FIELD_IGNORED:
                break;
            case SLUICE_FIELD_EXISTS:
                throw RowError("compose_fields '" + key + "': the key was already set by a column");
            case SLUICE_FIELD_UNKNOWN_KEY:
                throw RowError("compose_fields '" + key + "': not in the harmonization");
            default:
                throw RowError("compose_fields '" + key + "': invalid value '" + quote_prefix(value) + "'");
        }
    }
}

}  // namespace sluice::csv
