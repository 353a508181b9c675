// SPDX-License-Identifier: AGPL-3.0-or-later
// Decoded JSON values compared and printed the way IntelMQ's Python code does: `==` across numbers
// and booleans (1 == 1.0 == True), str() of numbers, booleans and lists, json.dumps() of objects.
#pragma once

#include <rapidjson/document.h>

#include <string>

namespace sluice::sieve {

// A number or a boolean (Python's bool is an int).
bool is_numeric(const rapidjson::Value& v);
// -1, 0 or 1 for two numeric values (see is_numeric).
int numeric_compare(const rapidjson::Value& a, const rapidjson::Value& b);

// Python's == on the decoded values.
bool python_equal(const rapidjson::Value& a, const rapidjson::Value& b);

// What IntelMQ's sieve matches :contains, =~ and !~ against: strings as they are, objects as
// json.dumps(), everything else as str() ("True", "1.0", "['a', 1]").
std::string match_text(const rapidjson::Value& v);

// Python's json.dumps() with its defaults (", " and ": " separators, non-ASCII as \uXXXX).
std::string json_dumps(const rapidjson::Value& v);
// Python's str(): strings as they are, the rest as repr().
std::string python_str(const rapidjson::Value& v);
// Python's repr() of a float ("1.0", "1e-05", "1e+16").
std::string python_float(double d);

// Compact JSON, as the value is handed to the host.
std::string compact_json(const rapidjson::Value& v);

}  // namespace sluice::sieve
