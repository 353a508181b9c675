// SPDX-License-Identifier: AGPL-3.0-or-later
// expert_field_reducer through the real host code: whitelist, blacklist, parameter checks.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <sluice/core/bot_harness.hpp>

#include <set>
#include <string>

#include "test_support.hpp"

namespace {

using sluice::BotHarness;

const std::string kEvent =
    R"({"__type":"Event","classification.type":"unauthorised-information-modification",)"
    R"("time.observation":"2015-09-12T00:00:00+00:00","time.source":"2015-09-11T00:00:00+00:00",)"
    R"("feed.name":"test-feed","extra.tag":"x","source.port":80})";

std::set<std::string> keys_of(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE(d.IsObject());
    std::set<std::string> out;
    for (const auto& m : d.GetObject()) out.insert(m.name.GetString());
    return out;
}

std::string run_one(const std::string& params) {
    BotHarness bot("expert_field_reducer", params);
    const auto r = bot.process({kEvent});
    REQUIRE(r.failed.empty());
    REQUIRE(r.on("_default").size() == 1);
    return r.on("_default")[0];
}

}  // namespace

TEST_CASE("whitelist keeps only the listed keys") {
    const auto out = run_one(R"({"type":"whitelist","keys":["time.source","source.port","extra"]})");
    // "extra" matches no key exactly, as in IntelMQ
    CHECK(keys_of(out) == std::set<std::string>{"__type", "time.source", "source.port"});
    CHECK(out.find("\"source.port\":80") != std::string::npos);
}

TEST_CASE("blacklist removes the listed keys, given as one comma-separated string") {
    const auto out = run_one(R"({"type":"blacklist","keys":"feed.name , extra.tag,missing.key"})");
    CHECK(keys_of(out) ==
          std::set<std::string>{"__type", "classification.type", "time.observation", "time.source", "source.port"});
}

TEST_CASE("the conformance case: whitelist of time.source and time.observation") {
    const auto out = run_one(R"({"type":"whitelist","keys":["time.source","time.observation"]})");
    CHECK(keys_of(out) == std::set<std::string>{"__type", "time.observation", "time.source"});
}

TEST_CASE("a type other than whitelist/blacklist stops the bot at start") {
    CHECK_THROWS_WITH_AS(BotHarness("expert_field_reducer", R"({"type":"greylist","keys":["a"]})"),
                         doctest::Contains("whitelist"), std::runtime_error);
    CHECK_THROWS_AS(BotHarness("expert_field_reducer", R"({"type":"whitelist"})"), std::runtime_error);
}
