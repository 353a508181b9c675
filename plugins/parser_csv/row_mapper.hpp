// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Turns one CSV row into event fields, following IntelMQ's GenericCsvParserBot.parse_line:
//  - column i's value goes to the first of its keys ("a|b") that accepts it; an empty value, a
//    placeholder the harmonization ignores ("-", "N/A") and an `__IGNORE__` column set nothing;
//  - time.source/time.destination go through `time_format`; keys ending in ".url" get
//    `default_url_protocol` when the value has no "://"; classification.type goes through
//    `type_translation` when one is configured; `column_regex_search` keeps the first match;
//    `data_type` "json" keys are stored as JSON;
//  - a required column whose value no key accepts fails the row, and so does a required column the
//    row lacks (IntelMQ silently drops it); fields beyond the configured columns are ignored;
//  - then `compose_fields` are rendered from the row.
// Each alternative key is tried with the column's own value (IntelMQ passes the value as already
// rewritten for the previous key, e.g. with the URL protocol prepended).
// A failed row throws RowError with a reason naming the column and key; the caller adds the line.
#pragma once

#include <sluice/bot.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "parser_config.hpp"

namespace sluice::csv {

struct RowError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void map_row(const ParserConfig& cfg, const std::vector<std::string>& row, sluice::Message& event);

}  // namespace sluice::csv
