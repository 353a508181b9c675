// SPDX-License-Identifier: AGPL-3.0-or-later
//
// A bot's parameters, validated against the plugin's own parameter table before `create` runs:
// unknown names, missing required ones and values of the wrong type are refused with one line each.
#pragma once

#include <sluice/bot.h>

#include <string>
#include <vector>

namespace sluice {

struct ParamValue {
    std::string name;
    std::string text;               // scalars as text; JSON parameters as JSON text
    std::vector<std::string> list;  // STRING_LIST items
};

}  // namespace sluice

// The opaque handle of bot.h, defined here: the validated values, defaults filled in.
struct sluice_params {
    std::vector<sluice::ParamValue> values;
    const sluice::ParamValue* find(std::string_view name) const {
        for (const auto& v : values)
            if (v.name == name) return &v;
        return nullptr;
    }
};

namespace sluice {

// Validates `given_json` (a JSON object: name → value, as in IntelMQ's parameters) against the
// plugin's table. Problems are appended to `errors` as "parameter 'x': why" lines.
sluice_params validate_params(const sluice_bot_desc& desc, std::string_view given_json,
                              std::vector<std::string>& errors);

const char* param_type_name(uint32_t type);

// The parameter table as the Markdown every plugin README carries: generated from the plugin's own
// table, so the docs cannot drift from what the host validates (a test compares them).
std::string param_table_markdown(const sluice_bot_desc& desc);

}  // namespace sluice
