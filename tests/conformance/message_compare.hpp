// SPDX-License-Identifier: AGPL-3.0-or-later
// Compares a sent message with an expected one the way IntelMQ's BotTestCase.assertMessageEqual does:
// both decoded, time.observation dropped on both sides, `output` decoded as JSON on both sides when
// present, then equal as objects (key order does not matter, `__type` included, 1 == 1.0).
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

namespace sluice::conformance {

struct Difference {
    enum class Kind { missing, extra, different };
    Kind kind;
    std::string key;
    std::string expected;  // compact JSON of the expected value (empty for extra)
    std::string got;       // compact JSON of the sent value (empty for missing)
};

// Decodes one message and normalizes it for comparison. Returns false with `error` set when the
// text is not a JSON object.
bool comparable(std::string_view json, rapidjson::Document& out, std::string& error);

// The fields in which `got` differs from `expected`, in expected's key order, then got's extra keys.
std::vector<Difference> differences(const rapidjson::Value& expected, const rapidjson::Value& got);

// One line for people: "missing key 'k' (expected "v")", with `raw` also shown decoded.
std::string describe(const Difference& d);

std::string compact(const rapidjson::Value& v);

}  // namespace sluice::conformance
