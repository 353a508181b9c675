// SPDX-License-Identifier: AGPL-3.0-or-later
// A parsed sieve rule file (IntelMQ's sieve.tx), ready to run against events: literal values are
// decoded, regular expressions compiled, IP networks and times parsed once.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ip_network.hpp"
#include "lexer.hpp"
#include "python_regex.hpp"
#include "sieve_time.hpp"

namespace sluice::sieve {

// A value in the rules: a literal, or a $variable read when the rule runs.
struct Operand {
    Pos pos;
    std::string variable;              // "$name"; empty for a literal
    rapidjson::Document literal;       // string, number or boolean
    std::optional<PythonRegex> regex;  // literal patterns of =~, !~ and :regexin
    std::optional<TimeSpec> time;      // literal times of :before and :after that parse
    bool is_variable() const { return !variable.empty(); }
};

// An event key, or a $variable holding one.
struct KeyRef {
    Pos pos;
    std::string name;
    bool variable = false;
};

enum class Match {
    exists,          // :exists / :notexists
    string_single,   // == != :contains =~ !~ with a string
    string_multi,    // :in :containsany :regexin with a list of strings
    numeric_single,  // == != < <= > >= with a number
    numeric_multi,   // :in with a list of numbers
    ip_range,        // <<
    date,            // :before :after
    list,            // :equals :setequals :overlaps :subsetof :supersetof
    boolean,         // == != with true / false
    group,           // ( expression )
};

// The operator as written; `<<` is `in` with Match::ip_range, :exists / :notexists are exists /
// notexists with Match::exists.
// clang-format off
enum class Op {
    eq, ne, contains, regex, not_regex,                 // strings; eq and ne also numbers and booleans
    in, containsany, regexin,                           // lists of strings (in: or of numbers)
    lt, le, gt, ge,                                     // numbers
    before, after,                                      // times
    equals, setequals, overlaps, subsetof, supersetof,  // list values
    exists, notexists,
};
// clang-format on

struct Expression;

struct Condition {
    Pos pos;
    bool negated = false;
    Match match = Match::exists;
    Op op = Op::exists;
    KeyRef key;
    std::vector<Operand> values;      // one for the single matches
    std::vector<IpNetwork> networks;  // <<
    std::unique_ptr<Expression> group;
};

// Disjunction of conjunctions: && binds tighter than ||.
struct Expression {
    std::vector<std::vector<Condition>> any_of;
};

enum class ActionKind { drop, keep, path, add, add_force, update, remove, append, append_force, set_variable };
enum class Assign { set, add, subtract };  // = += -=

struct Action {
    Pos pos;
    ActionKind kind = ActionKind::keep;
    KeyRef key;
    Assign assign = Assign::set;
    Operand value;
    std::optional<Micros> span;      // literal span of += / -=
    std::vector<std::string> paths;  // path
    std::string variable;            // $name = key
};

struct Statement;

// if / elif (with a condition) or else (without).
struct Clause {
    Pos pos;
    std::optional<Expression> condition;
    std::vector<Statement> body;
};

struct Statement {
    Pos pos;
    bool branching = false;
    Action action;                // when not branching
    std::vector<Clause> clauses;  // when branching: if, elif..., else
};

struct Program {
    std::string file;  // for messages: "<file>:<line>:<col>: ..."
    std::vector<Statement> statements;
    // Things that will fail when reached (IntelMQ reports them then), and patterns RE2 cannot run.
    std::vector<std::string> warnings;
};

}  // namespace sluice::sieve
