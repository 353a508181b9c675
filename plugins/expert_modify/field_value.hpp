// SPDX-License-Identifier: AGPL-3.0-or-later
// What a field's text alone cannot tell: whether "true" is the boolean True or the string "true".
// IntelMQ's rules see Python values, so matching and {msg[...]} use str(value) (True, 80, 5.22) and
// equality conditions compare typed values (true == 1, 100 == 100.0, "80" != 80).
#pragma once

#include <rapidjson/document.h>
#include <sluice/bot.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sluice::modify {

// The event's typed values, read from its wire JSON on first need and again after a change.
class TypedFields {
 public:
    explicit TypedFields(const sluice::Message& event) : event_(event) {}
    // The JSON value of `key`, or null when absent.
    const rapidjson::Value* find(std::string_view key);
    // Python's str() of the field's value; nullopt when absent.
    std::optional<std::string> python_str(std::string_view key);
    // Python's `event[key] == value` for a JSON value from a rule.
    bool equals(std::string_view key, const rapidjson::Value& value);
    // The event changed: read it again on the next question.
    void invalidate() { parsed_ = false; }

 private:
    const sluice::Message& event_;
    rapidjson::Document doc_;
    bool parsed_ = false;
};

}  // namespace sluice::modify
