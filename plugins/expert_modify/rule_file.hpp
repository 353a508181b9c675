// SPDX-License-Identifier: AGPL-3.0-or-later
// IntelMQ's modify rule file (configuration_path): a JSON list of
//   {"rulename": "...", "if": {field: condition, ...}, "then": {field: value, ...}}
// read and checked once at start. Conditions: a non-empty string is a regular expression searched in
// the field's text, "" means the field is absent, any other JSON value must equal the field's value
// (typed: true is not "true"). Values: strings are format templates, other JSON values are set as
// they are, null removes the field (with overwrite). Every mistake is refused with the file name and
// the line and column (JSON syntax) or the rule's number, name and key, and what is wrong.
#pragma once

#include <rapidjson/document.h>

#include <boost/regex.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "format_template.hpp"

namespace sluice::modify {

struct Condition {
    enum class Kind { absent, regex, equals };
    std::string key;
    Kind kind = Kind::absent;
    std::optional<boost::regex> regex;           // regex
    std::shared_ptr<rapidjson::Document> value;  // equals: the JSON value
};

struct Action {
    enum class Kind { text, json, remove };
    std::string key;
    Kind kind = Kind::text;
    std::optional<FormatTemplate> text;  // text
    std::string json;                    // json: compact JSON of a number, boolean, object or list
};

struct Rule {
    std::string name;
    size_t number = 0;  // 1-based position in the file
    std::vector<Condition> conditions;
    std::vector<Action> actions;
};

// Reads and checks the file. Throws std::runtime_error with the complete explanation. `warnings`
// receives what is accepted but probably not meant (unknown keys in a rule).
std::vector<Rule> load_rules(const std::string& path, bool case_sensitive, std::vector<std::string>& warnings);

// Compiles a condition the way the rule file does (Python's re syntax as far as Boost.Regex's Perl
// syntax has it; (?P<name>...) and (?P=name) are translated). Throws boost::regex_error.
boost::regex compile_python_regex(const std::string& pattern, bool case_sensitive);

}  // namespace sluice::modify
