// SPDX-License-Identifier: AGPL-3.0-or-later
#include "filter_config.hpp"

#include "field_value.hpp"

namespace sluice::filter {
namespace {

// Python truthiness of a JSON parameter: null, false, 0, "" and empty containers are false.
bool truthy(const rapidjson::Value& v) {
    if (v.IsNull()) return false;
    if (v.IsBool()) return v.GetBool();
    if (v.IsNumber()) return v.GetDouble() != 0.0;
    if (v.IsString()) return v.GetStringLength() > 0;
    if (v.IsArray()) return !v.Empty();
    return v.MemberCount() > 0;
}

std::optional<TimeBound> time_bound(const sluice::Params& params, std::string_view name, sluice::Context& ctx) {
    const auto text = params.get(name);
    if (!text || text->empty()) return std::nullopt;  // "" is off, as in IntelMQ
    TimeBound bound;
    if (mentions_timespan(*text)) {
        const auto span = parse_relative(*text);
        if (!span)
            throw sluice::FatalError("parameter '" + std::string(name) + "' = '" + std::string(*text) +
                                     "': not a relative time like \"2 days\" (units: second, minute, hour, day, "
                                     "week, month, year)");
        bound.relative = true;
        bound.value = *span;
        ctx.info("filtering out events by " + std::string(name) + " (relative time " + std::string(*text) + ")");
    } else {
        const auto instant = parse_datetime(*text);
        if (!instant)
            throw sluice::FatalError("parameter '" + std::string(name) + "' = '" + std::string(*text) +
                                     "': not a date and time like 2024-01-31T00:00:00+00:00 nor a relative time");
        bound.value = *instant;
        ctx.info("filtering out events by " + std::string(name) + " (absolute time " + std::string(*text) + ")");
    }
    return bound;
}

}  // namespace

FilterConfig load_config(const sluice::Params& params, sluice::Context& ctx) {
    FilterConfig cfg;
    cfg.not_after = time_bound(params, "not_after", ctx);
    cfg.not_before = time_bound(params, "not_before", ctx);

    const auto key = params.get("filter_key");
    const auto value = params.get("filter_value");
    const auto action = params.get("filter_action");
    if (!key) {
        ctx.info("no filter_key parameter found");
    } else if (!value) {
        ctx.info("no filter_value parameter found");
    } else if (!action) {
        ctx.info("no filter_action parameter found");
    } else if (*action != "drop" && *action != "keep") {
        ctx.info("filter_action '" + std::string(*action) + "' unknown: use \"drop\" or \"keep\"");
    } else {
        cfg.key_filter = true;
        cfg.key = std::string(*key);
        cfg.action = *action == "drop" ? Action::drop : Action::keep;
        cfg.value.Parse(value->data(), value->size());
        if (cfg.value.HasParseError()) throw sluice::FatalError("parameter 'filter_value': not valid JSON");
    }
    if (const auto regex = params.get("filter_regex"); regex && cfg.key_filter) {
        rapidjson::Document flag;
        flag.Parse(regex->data(), regex->size());
        if (!flag.HasParseError() && truthy(flag)) {
            const std::string pattern = python_str(cfg.value);
            try {
                cfg.regex.emplace(pattern, std::regex::ECMAScript);
            } catch (const std::regex_error& e) {
                throw sluice::FatalError("parameter 'filter_value' = '" + pattern +
                                         "': not a valid regular expression: " + e.what());
            }
        }
    }
    if (!cfg.key_filter && !cfg.time_filter()) throw sluice::FatalError("no relevant filter configuration found");
    return cfg;
}

}  // namespace sluice::filter
