// SPDX-License-Identifier: AGPL-3.0-or-later
//
// expert_modify: IntelMQ's modify expert (intelmq/bots/experts/modify/expert.py). Each rule of the
// rule file (rule_file.hpp) whose conditions all hold is applied in file order, seeing what the
// rules before it changed; its values are formatted with {msg[field]} and {matches[field][group]}
// and set with overwrite as configured. maximum_matches stops after that many applied rules. The
// event is always sent on.
#include <sluice/bot.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "field_value.hpp"
#include "rule_file.hpp"

namespace {

using namespace sluice::modify;

// The regex matches of one rule, by field. Each subject lives on the heap so the match's iterators
// into it stay valid.
struct Match {
    std::string subject;
    boost::smatch groups;
};
using Matches = std::map<std::string, std::unique_ptr<Match>, std::less<>>;

class ModifyExpert {
 public:
    ModifyExpert(const sluice::Params& params, sluice::Context& ctx)
        : overwrite_(params.boolean("overwrite", true)), maximum_matches_(params.integer("maximum_matches", 0)) {
        std::vector<std::string> warnings;
        try {
            rules_ = load_rules(params.string("configuration_path"), params.boolean("case_sensitive", true), warnings);
        } catch (const std::exception& e) {
            throw sluice::FatalError(e.what());
        }
        for (const auto& w : warnings) ctx.warning(w);
        ctx.info("loaded " + std::to_string(rules_.size()) + " rule(s) from " + params.string("configuration_path"));
    }

    sluice::Status process(sluice::Message& event, sluice::Context& ctx) {
        TypedFields typed(event);
        int64_t applied = 0;
        for (const Rule& rule : rules_) {
            Matches matches;
            if (!holds(rule, event, typed, matches)) continue;
            ++applied;
            ctx.debug("Apply rule " + rule.name + ".");
            apply(rule, event, typed, matches);
            if (maximum_matches_ > 0 && applied >= maximum_matches_) {
                ctx.debug("Reached maximum number of matches, breaking.");
                break;
            }
        }
        ctx.emit(event);
        return sluice::Status::ok;
    }

 private:
    static bool holds(const Rule& rule, const sluice::Message& event, TypedFields& typed, Matches& matches) {
        for (const Condition& c : rule.conditions) {
            const bool present = event.has(c.key);
            if (c.kind == Condition::Kind::absent) {
                if (present) return false;
                continue;
            }
            if (!present) return false;
            if (c.kind == Condition::Kind::equals) {
                if (!typed.equals(c.key, *c.value)) return false;
                continue;
            }
            auto m = std::make_unique<Match>();
            m->subject = *typed.python_str(c.key);
            if (!boost::regex_search(m->subject, m->groups, *c.regex)) return false;
            matches[c.key] = std::move(m);
        }
        return true;
    }

    void apply(const Rule& rule, sluice::Message& event, TypedFields& typed, const Matches& matches) const {
        const uint32_t flags = overwrite_ ? sluice::overwrite : sluice::none;
        for (const Action& a : rule.actions) {
            if (a.kind == Action::Kind::remove) {  // IntelMQ: add(key, None, overwrite=True) deletes
                if (overwrite_) event.remove(a.key);
                typed.invalidate();
                continue;
            }
            const std::string value = a.kind == Action::Kind::json ? a.json : render(rule, a, typed, matches);
            try {
                const bool stored =
                    event.set(a.key, value, a.kind == Action::Kind::json ? flags | sluice::json : flags);
                // IntelMQ deletes the field when the new value is one it ignores ("", "-", "N/A").
                if (!stored && overwrite_) event.remove(a.key);
            } catch (const sluice::FieldError& e) {
                // overwrite false and a value present: IntelMQ keeps it quietly. Anything else is
                // InvalidValue / InvalidKey in IntelMQ: the event cannot be processed.
                if (e.result != SLUICE_FIELD_EXISTS)
                    throw sluice::FieldError("rule " + rule.name + ", then \"" + a.key + "\": " + e.what(), e.result);
            }
            typed.invalidate();
        }
    }

    static std::string render(const Rule& rule, const Action& a, TypedFields& typed, const Matches& matches) {
        std::string out;
        for (const TemplatePiece& p : a.text->pieces()) {
            switch (p.kind) {
                case TemplatePiece::Kind::literal:
                    out += p.text;
                    break;
                case TemplatePiece::Kind::field: {
                    const auto value = typed.python_str(p.text);
                    if (!value)
                        throw sluice::RejectError("rule " + rule.name + ", then \"" + a.key + "\": {msg[" + p.text +
                                                  "]}: the event has no field " + p.text);
                    out += *value;
                    break;
                }
                case TemplatePiece::Kind::match_group: {
                    const Match& m = *matches.find(p.text)->second;  // checked at load: a regex condition
                    int index = 0;
                    if (p.group_number) {
                        index = std::stoi(p.group);
                    } else {
                        index = m.groups.named_subexpression_index(p.group.data(), p.group.data() + p.group.size());
                        if (index < 0)
                            throw sluice::RejectError("rule " + rule.name + ", then \"" + a.key + "\": {matches[" +
                                                      p.text + "][" + p.group + "]}: no group named " + p.group);
                    }
                    // Python formats a group that did not take part in the match as None.
                    out += m.groups[index].matched ? m.groups[index].str() : std::string("None");
                    break;
                }
            }
        }
        return out;
    }

    bool overwrite_;
    int64_t maximum_matches_;
    std::vector<Rule> rules_;
};

}  // namespace

SLUICE_EXPORT_BOT(ModifyExpert, SLUICE_KIND_EXPERT, "expert_modify", "1.0.0",
                  "Changes fields by the rules of a rule file: conditions on fields, values formatted from the event",
                  SLUICE_PARAM("configuration_path", SLUICE_PARAM_STRING, 1, nullptr,
                               "The rule file, IntelMQ's JSON format: a list of {rulename, if, then}"),
                  SLUICE_PARAM("case_sensitive", SLUICE_PARAM_BOOL, 0, "true",
                               "When false, the regular expressions of the conditions ignore case"),
                  SLUICE_PARAM("maximum_matches", SLUICE_PARAM_INT, 0, nullptr,
                               "Stop after this many rules applied to an event (unset or 0: no limit)"),
                  SLUICE_PARAM("overwrite", SLUICE_PARAM_BOOL, 0, "true",
                               "Replace a field that already has a value; when false such a value is kept"))
