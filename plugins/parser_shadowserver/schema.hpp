// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Shadowserver's IntelMQ schema (https://interchange.shadowserver.org/intelmq/v1/schema, or
// IntelMQ's schema.json.test): one entry per report type, each with its feed_name, file_name,
// required_fields, optional_fields (lists of [intelmq key or false, column, conversion function,
// pass the row]) and constant_fields. Also the conversion functions of IntelMQ's
// intelmq/bots/parsers/shadowserver/_config.py.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::shadowserver {

struct Mapping {
    std::optional<std::string> key;  // nullopt: false in the schema, the column is dropped
    std::string column;
    std::string function;  // empty: none
    bool with_row = false;
};

struct Constant {
    std::string key;
    std::string value;  // the text for a string, JSON for anything else
    bool is_json = false;
};

struct Report {
    std::string feed_name;
    std::string file_name;
    std::string url;  // feed.documentation, may be empty
    std::vector<Mapping> required;
    std::vector<Mapping> optional;
    std::vector<Constant> constants;
};

class Schema {
 public:
    // Throws std::runtime_error naming `origin` when the text is not a schema.
    Schema(std::string_view json_text, const std::string& origin);
    const Report* by_feed_name(std::string_view name) const;
    const Report* by_file_name(std::string_view name) const;
    size_t size() const { return reports_.size(); }
    const std::string& created() const { return created_; }

 private:
    std::vector<Report> reports_;
    std::map<std::string, size_t, std::less<>> by_feed_, by_file_;
    std::string created_;
};

// A converted value: its text, and whether it is a JSON literal (number, boolean) or a string.
struct Value {
    std::string text;
    bool is_json = false;
};

struct ConversionError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Validates a value against a harmonization type the way the host does it (the caller supplies it):
// returns the sanitized text, or nullopt when the harmonization refuses it.
struct Validator {
    virtual ~Validator() = default;
    virtual std::optional<std::string> check(std::string_view key, std::string_view value) = 0;
};

bool known_function(std::string_view name);
// IntelMQ's conversion function `name` on `value` (with the row when `row` is given); nullopt when it
// returns None. Throws ConversionError when it would raise.
std::optional<Value> convert(std::string_view name, const std::string& value,
                             const std::map<std::string, std::string, std::less<>>* row, Validator& validator);

// IntelMQ's report file name pattern ^(?:\d{4}-\d{2}-\d{2}-)?(\w+)(-\w+)*\.csv$: the report type,
// or nullopt when the name does not match.
std::optional<std::string> report_type_of(std::string_view file_name);

}  // namespace sluice::shadowserver
