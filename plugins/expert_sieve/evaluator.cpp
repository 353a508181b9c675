// SPDX-License-Identifier: AGPL-3.0-or-later
#include "evaluator.hpp"

#include <rapidjson/document.h>

#include <map>
#include <optional>

#include "event_fields.hpp"
#include "python_regex.hpp"
#include "python_value.hpp"

namespace sluice::sieve {
namespace {

enum class Procedure { next, keep, drop };

std::string_view text_of(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

class Run {
 public:
    Run(const Program& program, sluice::Message& event, sluice::Context& ctx, EventFields& fields)
        : prog_(program), event_(event), ctx_(ctx), fields_(fields) {
        fields_.start(event);
    }

    Outcome go() {
        Outcome out;
        for (const auto& s : prog_.statements) {
            const Procedure p = statement(s);
            if (p == Procedure::drop) {
                out.drop = true;
                return out;
            }
            if (p == Procedure::keep) break;
        }
        out.paths = std::move(paths_);
        return out;
    }

 private:
    [[noreturn]] void fail(Pos at, const std::string& what) const {
        throw sluice::RejectError(prog_.file + ":" + std::to_string(at.line) + ":" + std::to_string(at.col) + ": " +
                                  what);
    }

    // ---- the event's typed values (see EventFields: read lazily, kept until the key changes) ----
    const rapidjson::Value* field(std::string_view key) { return fields_.find(key); }
    void changed(std::string_view key) { fields_.changed(key); }

    // ---- variables and operands ----
    const rapidjson::Value& variable(const std::string& name, Pos at) const {
        const auto it = vars_.find(name);
        if (it == vars_.end()) fail(at, "Sieve variable " + name + " used before definition");
        return it->second;
    }

    // A view of the rule's key or of the variable's string: valid while the variable is not set again.
    std::string_view key(const KeyRef& k) const {
        if (!k.variable) return k.name;
        const auto& v = variable(k.name, k.pos);
        if (!v.IsString()) fail(k.pos, "variable " + k.name + " used as a key does not hold a string");
        return text_of(v);
    }

    const rapidjson::Value& operand(const Operand& o) const {
        return o.is_variable() ? variable(o.variable, o.pos) : o.literal;
    }

    std::string_view string_operand(const Operand& o) const {
        const auto& v = operand(o);
        if (!v.IsString()) fail(o.pos, "expected a string in variable " + o.variable + ", got " + python_str(v));
        return text_of(v);
    }

    const rapidjson::Value& number_operand(const Operand& o) const {
        const auto& v = operand(o);
        if (!is_numeric(v)) fail(o.pos, "expected a number in variable " + o.variable + ", got " + python_str(v));
        return v;
    }

    bool search(const Operand& pattern, std::string_view text) const {
        if (pattern.regex) return pattern.regex->search(text);
        const auto p = string_operand(pattern);  // a $variable: compiled for this use
        try {
            return PythonRegex::compile(p).search(text);
        } catch (const std::invalid_argument& e) {
            fail(pattern.pos, "invalid regular expression '" + std::string(p) + "': " + e.what());
        }
    }

    // The text string operators match: a string as it is (no copy), other values as match_text
    // writes them into `storage`.
    static std::string_view text_to_match(const rapidjson::Value& v, std::string& storage) {
        if (v.IsString()) return text_of(v);
        storage = match_text(v);
        return storage;
    }

    // ---- statements ----
    Procedure statement(const Statement& s) {
        if (!s.branching) return action(s.action);
        for (const auto& c : s.clauses) {
            if (c.condition && !expression(*c.condition)) continue;
            for (const auto& inner : c.body) {
                const Procedure p = statement(inner);
                if (p != Procedure::next) return p;
            }
            return Procedure::next;
        }
        return Procedure::next;
    }

    bool expression(const Expression& e) {
        for (const auto& all : e.any_of) {
            bool ok = true;
            for (const auto& c : all) {
                if (!condition(c)) {
                    ok = false;
                    break;
                }
            }
            if (ok) return true;
        }
        return false;
    }

    bool condition(const Condition& c) { return c.negated != match(c); }

    bool match(const Condition& c) {
        if (c.match == Match::group) return expression(*c.group);
        const std::string_view k = key(c.key);
        if (c.match == Match::exists) return event_.has(k) == (c.op == Op::exists);
        const rapidjson::Value* v = field(k);
        switch (c.match) {
            case Match::string_single:
                return string_single(c, v);
            case Match::string_multi:
                return v && string_multi(c, *v);
            case Match::numeric_single:
                return v && numeric_single(c, *v);
            case Match::numeric_multi:
                return v && any_equal(*v, c.values);
            case Match::ip_range:
                return v && ip_range(c, k, *v);
            case Match::date:
                return v && date(c, k, *v);
            case Match::list:
                return v && v->IsArray() && list(c, *v);
            case Match::boolean:
                return v && v->IsBool() && (v->GetBool() == operand(c.values.front()).GetBool()) == (c.op == Op::eq);
            default:
                return false;
        }
    }

    bool string_single(const Condition& c, const rapidjson::Value* v) {
        if (!v) return c.op == Op::ne || c.op == Op::not_regex;
        const Operand& rhs = c.values.front();
        if (c.op == Op::eq || c.op == Op::ne) {
            const bool equal = v->IsString() && text_of(*v) == string_operand(rhs);
            return equal == (c.op == Op::eq);
        }
        std::string storage;
        const std::string_view lhs = text_to_match(*v, storage);
        if (c.op == Op::contains) return lhs.find(string_operand(rhs)) != std::string::npos;
        return search(rhs, lhs) == (c.op == Op::regex);
    }

    bool string_multi(const Condition& c, const rapidjson::Value& v) {
        if (c.op == Op::in) return any_equal(v, c.values);
        std::string storage;
        const std::string_view lhs = text_to_match(v, storage);
        for (const auto& o : c.values) {
            if (c.op == Op::containsany ? lhs.find(string_operand(o)) != std::string::npos : search(o, lhs))
                return true;
        }
        return false;
    }

    bool any_equal(const rapidjson::Value& v, const std::vector<Operand>& values) const {
        for (const auto& o : values) {
            if (python_equal(v, operand(o))) return true;
        }
        return false;
    }

    bool numeric_single(const Condition& c, const rapidjson::Value& v) const {
        const auto& rhs = number_operand(c.values.front());
        if (!is_numeric(v)) return c.op == Op::ne;  // Python: a string is never == a number
        const int cmp = numeric_compare(v, rhs);
        switch (c.op) {
            case Op::eq:
                return python_equal(v, rhs);
            case Op::ne:
                return !python_equal(v, rhs);
            case Op::lt:
                return cmp < 0;
            case Op::le:
                return cmp <= 0;
            case Op::gt:
                return cmp > 0;
            case Op::ge:
                return cmp >= 0;
            default:
                return false;
        }
    }

    bool ip_range(const Condition& c, std::string_view k, const rapidjson::Value& v) {
        std::optional<IpAddress> addr;
        if (v.IsString()) {
            addr = parse_ip_address(text_of(v));
        } else if (v.IsUint64()) {
            addr = ip_from_integer(v.GetUint64());
        }
        if (!addr) {
            ctx_.warning("Could not parse IP address " + std::string(k) + "=" + python_str(v) + " in " +
                         std::string(event_.json()) + ".");
            return false;
        }
        for (const auto& net : c.networks) {
            if (net.contains(*addr)) return true;
        }
        return false;
    }

    bool date(const Condition& c, std::string_view k, const rapidjson::Value& v) {
        const Operand& rhs = c.values.front();
        std::optional<TimeSpec> spec = rhs.time;
        if (!spec) {
            const auto text = string_operand(rhs);
            spec = parse_time_spec(text);
            if (!spec)
                fail(rhs.pos,
                     "'" + std::string(text) + "' is neither a date nor a relative time such as '2 days' or '1 week'");
        }
        const Micros base = spec->relative ? now_micros() - spec->value : spec->value;
        const std::optional<Micros> t = v.IsString() ? parse_datetime(text_of(v)) : std::nullopt;
        if (!t) {
            ctx_.warning("Could not parse " + std::string(k) + "=" + python_str(v) + " at " +
                         std::string(event_.json()) + ".");
            return false;
        }
        return c.op == Op::before ? *t < base : *t > base;
    }

    bool list(const Condition& c, const rapidjson::Value& lhs) const {
        const auto in = [&](const rapidjson::Value& x, const rapidjson::Value& list) {
            for (const auto& e : list.GetArray()) {
                if (python_equal(x, e)) return true;
            }
            return false;
        };
        rapidjson::Document rhs(rapidjson::kArrayType);
        for (const auto& o : c.values)
            rhs.PushBack(rapidjson::Value(operand(o), rhs.GetAllocator()), rhs.GetAllocator());
        const auto all_in = [&](const rapidjson::Value& a, const rapidjson::Value& b) {
            for (const auto& e : a.GetArray()) {
                if (!in(e, b)) return false;
            }
            return true;
        };
        switch (c.op) {
            case Op::equals:
                return python_equal(lhs, rhs);
            case Op::setequals:
                return all_in(lhs, rhs) && all_in(rhs, lhs);
            case Op::overlaps:
                for (const auto& e : lhs.GetArray()) {
                    if (in(e, rhs)) return true;
                }
                return false;
            case Op::subsetof:
                return all_in(lhs, rhs);
            case Op::supersetof:
                return all_in(rhs, lhs);
            default:
                return false;
        }
    }

    // ---- actions ----
    Procedure action(const Action& a) {
        switch (a.kind) {
            case ActionKind::drop:
                return Procedure::drop;
            case ActionKind::keep:
                return Procedure::keep;
            case ActionKind::path:
                paths_ = a.paths;
                break;
            case ActionKind::add:
            case ActionKind::add_force:
            case ActionKind::update: {
                const std::string_view k = key(a.key);
                const bool present = event_.has(k);
                if ((a.kind == ActionKind::add && present) || (a.kind == ActionKind::update && !present)) break;
                if (a.assign == Assign::set) {
                    store(k, operand(a.value), a.kind != ActionKind::add);
                } else {
                    rapidjson::Document shifted;
                    const std::string t = shift_time(a, k);
                    shifted.SetString(t.data(), static_cast<rapidjson::SizeType>(t.size()), shifted.GetAllocator());
                    store(k, shifted, a.kind != ActionKind::add);
                }
                break;
            }
            case ActionKind::remove: {
                const std::string_view k = key(a.key);
                if (event_.remove(k)) changed(k);
                break;
            }
            case ActionKind::append:
            case ActionKind::append_force:
                append(a);
                break;
            case ActionKind::set_variable: {
                const rapidjson::Value* v = field(a.key.name);
                if (!v) fail(a.pos, a.key.name + " not present in event");
                rapidjson::Document copy;
                copy.CopyFrom(*v, copy.GetAllocator());
                vars_[a.variable] = std::move(copy);
                break;
            }
        }
        return Procedure::next;
    }

    void append(const Action& a) {
        const std::string_view k = key(a.key);
        const rapidjson::Value& item = operand(a.value);
        const rapidjson::Value* current = field(k);
        rapidjson::Document list(rapidjson::kArrayType);
        auto& alloc = list.GetAllocator();
        if (current && current->IsArray()) {
            list.CopyFrom(*current, alloc);
        } else if (current) {
            if (a.kind == ActionKind::append) return;  // IntelMQ leaves a single value alone
            list.PushBack(rapidjson::Value(*current, alloc), alloc);
        }
        list.PushBack(rapidjson::Value(item, alloc), alloc);
        store(k, list, current != nullptr);
    }

    // `add! key += '1 hour'`: the key's time moved by the span, as ISO text.
    std::string shift_time(const Action& a, std::string_view key_view) {
        const std::string k(key_view);
        const rapidjson::Value* v = field(k);
        if (!v)
            fail(a.pos, "cannot compute " + k + (a.assign == Assign::add ? " += " : " -= ") + "...: " + k +
                            " is not in the event");
        const std::optional<Micros> t = v->IsString() ? parse_datetime(text_of(*v)) : std::nullopt;
        if (!t) fail(a.pos, "cannot compute a time from " + k + "=" + python_str(*v));
        std::optional<Micros> span = a.span;
        if (!span) {
            const auto text = string_operand(a.value);
            span = parse_relative(text);
            if (!span) fail(a.value.pos, "'" + std::string(text) + "' is not a relative time such as '1 hour'");
        }
        return format_utc(a.assign == Assign::add ? *t + *span : *t - *span);
    }

    void store(std::string_view k, const rapidjson::Value& v, bool overwrite) {
        const uint32_t flags = overwrite ? sluice::overwrite : sluice::none;
        if (v.IsString()) {
            event_.set(k, text_of(v), flags);
        } else {
            event_.set(k, compact_json(v), flags | sluice::json);
        }
        changed(k);
    }

    const Program& prog_;
    sluice::Message& event_;
    sluice::Context& ctx_;
    EventFields& fields_;
    std::map<std::string, rapidjson::Document, std::less<>> vars_;
    std::vector<std::string> paths_;
};

}  // namespace

Outcome evaluate(const Program& program, sluice::Message& event, sluice::Context& ctx, EventFields& fields) {
    return Run(program, event, ctx, fields).go();
}

}  // namespace sluice::sieve
