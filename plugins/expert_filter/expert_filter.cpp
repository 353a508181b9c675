// SPDX-License-Identifier: AGPL-3.0-or-later
//
// expert_filter: IntelMQ's filter expert (intelmq/bots/experts/filter/expert.py).
//
// 1. Time filter (not_before / not_after, absolute or relative to now): an event whose time.source
//    is outside the window is dropped (acknowledged, sent nowhere).
// 2. Key/value filter: does filter_key equal filter_value (or, with filter_regex, does the regular
//    expression filter_value match somewhere in the field's text)? Then, by filter_action:
//      drop + match     -> action_other, filter_match
//      drop + no match  -> filter_no_match, _default
//      keep + match     -> filter_match, _default
//      keep + no match  -> action_other, filter_no_match
//    The named paths are optional (sent to only when configured); _default is required.
// 3. Without a key/value filter, an event that passed the time filter goes to _default.
#include <sluice/bot.hpp>

#include <chrono>
#include <string>

#include "field_value.hpp"
#include "filter_config.hpp"

namespace {

using namespace sluice::filter;

Micros now_micros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class FilterExpert {
 public:
    // IntelMQ's filter paths, each used only when the bot's `to` names it.
    static constexpr const char* kPaths[] = {"filter_match", "filter_no_match", "action_other", nullptr};

    FilterExpert(const sluice::Params& params, sluice::Context& ctx) : cfg_(load_config(params, ctx)) {}

    sluice::Status process(sluice::Message& event, sluice::Context& ctx) {
        if (cfg_.time_filter() && outside_window(event, ctx)) return sluice::Status::ok;
        if (!cfg_.key_filter) {
            ctx.emit(event);
            return sluice::Status::ok;
        }
        const bool match = matches(event);
        if (cfg_.action == Action::drop) {
            if (match) {
                ctx.emit_if_configured(event, "action_other");
                ctx.emit_if_configured(event, "filter_match");
            } else {
                ctx.emit_if_configured(event, "filter_no_match");
                ctx.emit(event);
            }
        } else {
            if (match) {
                ctx.emit_if_configured(event, "filter_match");
                ctx.emit(event);
            } else {
                ctx.emit_if_configured(event, "action_other");
                ctx.emit_if_configured(event, "filter_no_match");
            }
        }
        return sluice::Status::ok;
    }

 private:
    // True when the event's time.source lies outside not_before .. not_after.
    bool outside_window(const sluice::Message& event, sluice::Context& ctx) const {
        const auto text = event.get("time.source");
        if (!text) return false;
        const auto t = parse_datetime(*text);
        if (!t) {
            ctx.error("could not parse time.source " + std::string(*text));
            return false;
        }
        const auto beyond = [&](const std::optional<TimeBound>& b, bool after) {
            if (!b) return false;
            const Micros limit = b->relative ? now_micros() - b->value : b->value;
            return after ? *t > limit : *t < limit;
        };
        if (beyond(cfg_.not_after, true) || beyond(cfg_.not_before, false)) {
            ctx.debug("filtered out event with time.source " + std::string(*text));
            return true;
        }
        return false;
    }

    bool matches(const sluice::Message& event) const {
        const auto text = event.get(cfg_.key);
        if (!text) return false;
        if (cfg_.regex) {
            // str(value): the text for strings and numbers; booleans and objects need their type.
            if (*text == "true" || *text == "false" || text->starts_with('{') || text->starts_with('[')) {
                rapidjson::Document typed;
                if (typed_field(event, cfg_.key, typed)) return std::regex_search(python_str(typed), *cfg_.regex);
            }
            return std::regex_search(text->begin(), text->end(), *cfg_.regex);
        }
        if (cfg_.value.IsString()) {
            // Cheap check first; equal text still needs the field to be a string ("80" != 80).
            if (*text != std::string_view(cfg_.value.GetString(), cfg_.value.GetStringLength())) return false;
        }
        rapidjson::Document typed;
        return typed_field(event, cfg_.key, typed) && python_equal(typed, cfg_.value);
    }

    FilterConfig cfg_;
};

}  // namespace

SLUICE_EXPORT_BOT(
    FilterExpert, SLUICE_KIND_EXPERT, "expert_filter", "1.0.0",
    "Filters events by a field's value and by time.source; splits the flow into named paths",
    SLUICE_PARAM("filter_key", SLUICE_PARAM_STRING, 0, nullptr, "The field to look at"),
    SLUICE_PARAM("filter_value", SLUICE_PARAM_JSON, 0, nullptr,
                 "The value it must equal (typed: \"80\" is not 80), or the regular expression with filter_regex"),
    SLUICE_PARAM("filter_regex", SLUICE_PARAM_JSON, 0, nullptr,
                 "When true (any non-empty value), filter_value is a regular expression searched in the field"),
    SLUICE_PARAM("filter_action", SLUICE_PARAM_STRING, 0, nullptr,
                 "\"drop\": matching events do not go to _default; \"keep\": only matching events do"),
    SLUICE_PARAM("not_before", SLUICE_PARAM_STRING, 0, nullptr,
                 "Drop events whose time.source is older: a date and time, or a span back from now (\"2 days\")"),
    SLUICE_PARAM("not_after", SLUICE_PARAM_STRING, 0, nullptr,
                 "Drop events whose time.source is newer: a date and time, or a span back from now (\"1 hour\")"))
