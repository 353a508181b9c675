// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The generic CSV parser's parameters, under IntelMQ's names, read and checked once when the bot
// starts. Every value IntelMQ accepts in two shapes is accepted in both: `columns` as a list or a
// comma-separated string, `type_translation` and `data_type` as a JSON object or as a string
// holding one, `skip_header` as a boolean or a number of lines. A bad value throws
// sluice::FatalError naming the parameter and the value.
#pragma once

#include <sluice/bot.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "compose_template.hpp"
#include "time_format.hpp"

namespace sluice::csv {

struct Column {
    std::string spec;               // as configured, e.g. "source.ip|source.network"
    std::vector<std::string> keys;  // the alternatives, tried in order
    bool required = true;
    bool ignored() const { return keys.size() == 1 && (keys[0] == "__IGNORE__" || keys[0].empty()); }
};

enum class FilterType { none, whitelist, blacklist };

struct ParserConfig {
    std::vector<Column> columns;
    std::vector<std::pair<std::string, ComposeTemplate>> compose_fields;
    std::map<std::string, std::regex, std::less<>> column_regex_search;
    std::set<std::string, std::less<>> json_keys;  // data_type: keys whose values are JSON text
    std::string default_url_protocol = "http://";
    char delimiter = ',';
    std::string filter_text;
    FilterType filter_type = FilterType::none;
    size_t skip_header = 0;
    TimeFormat time_format{std::nullopt};
    std::optional<std::string> type;
    std::map<std::string, std::string, std::less<>> type_translation;
};

ParserConfig load_config(const sluice::Params& params);

}  // namespace sluice::csv
