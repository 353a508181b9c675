// SPDX-License-Identifier: AGPL-3.0-or-later
// expert_filter's parameters, checked once at start as IntelMQ's FilterExpertBot.init does.
#pragma once

#include <rapidjson/document.h>
#include <sluice/bot.hpp>

#include <optional>
#include <regex>
#include <string>

#include "time_spec.hpp"

namespace sluice::filter {

enum class Action { drop, keep };

// not_before / not_after: an absolute instant, or a span back from "now".
struct TimeBound {
    bool relative = false;
    Micros value = 0;  // microseconds since 1970 UTC, or the span
};

struct FilterConfig {
    // Key/value filter; `key_filter` false when filter_key, filter_value or filter_action is missing
    // or the action is unknown (IntelMQ then only logs it).
    bool key_filter = false;
    std::string key;
    rapidjson::Document value;        // filter_value, typed
    std::optional<std::regex> regex;  // filter_regex truthy: filter_value is a regular expression
    Action action = Action::drop;
    std::optional<TimeBound> not_before;
    std::optional<TimeBound> not_after;
    bool time_filter() const { return not_before || not_after; }
};

// Throws sluice::FatalError when a time does not parse, the regular expression is invalid, or
// neither a key/value filter nor a time filter is configured.
FilterConfig load_config(const sluice::Params& params, sluice::Context& ctx);

}  // namespace sluice::filter
