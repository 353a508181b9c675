// SPDX-License-Identifier: AGPL-3.0-or-later
// An event's field as the typed value IntelMQ's filter compares (Python's `event.get(key) == value`
// and `str(event.get(key))`).
#pragma once

#include <rapidjson/document.h>
#include <sluice/bot.hpp>

#include <string>
#include <string_view>

namespace sluice::filter {

// The field's typed value (string, number, boolean, object) into `out`; false when absent.
bool typed_field(const sluice::Message& event, std::string_view key, rapidjson::Document& out);

// Python's == on the decoded JSON values: numbers by value (1 == 1.0, True == 1), strings by
// content, a string never equal to a number.
bool python_equal(const rapidjson::Value& a, const rapidjson::Value& b);

// Python's str() of a decoded JSON value: strings as they are, True/False, None; numbers and
// containers as compact JSON.
std::string python_str(const rapidjson::Value& v);

}  // namespace sluice::filter
