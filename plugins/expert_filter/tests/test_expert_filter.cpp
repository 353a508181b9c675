// SPDX-License-Identifier: AGPL-3.0-or-later
// expert_filter through the real host code: the four paths of drop/keep x match/no match, typed
// equality, regular expressions, absolute and relative time windows, configuration errors.
#include <doctest/doctest.h>
#include <sluice/bot.h>
#include <sluice/core/bot_harness.hpp>

#include <string>
#include <vector>

#include "../time_spec.hpp"
#include "test_support.hpp"

namespace {

using sluice::BotHarness;
using sluice::HarnessResult;

const std::vector<std::string> kPaths = {"_default", "action_other", "filter_match", "filter_no_match"};

// IntelMQ's test input (tests/bots/experts/filter/test_paths.py).
const std::string kEvent =
    R"({"__type":"Event","classification.type":"unauthorised-information-modification",)"
    R"("time.source":"2005-01-01T00:00:00+00:00","source.asn":123,"extra.test1":true,"extra.test2":"bla"})";

HarnessResult run(const std::string& params, const std::string& event = kEvent,
                  const std::vector<std::string>& paths = kPaths) {
    BotHarness bot("expert_filter", params, paths);
    HarnessResult r = bot.process({event});
    REQUIRE(r.failed.empty());
    return r;
}

// How many messages went to each of kPaths, in that order.
std::vector<size_t> counts(const HarnessResult& r) {
    std::vector<size_t> out;
    for (const auto& p : kPaths) out.push_back(r.on(p).size());
    return out;
}

std::string filter(const std::string& key, const std::string& value_json, const std::string& action) {
    return R"({"filter_key":")" + key + R"(","filter_value":)" + value_json + R"(,"filter_action":")" + action + "\"}";
}

using V = std::vector<size_t>;  // _default, action_other, filter_match, filter_no_match

}  // namespace

TEST_CASE("drop and keep, match and no match: IntelMQ's paths") {
    CHECK(counts(run(filter("classification.type", R"("unauthorised-information-modification")", "drop"))) ==
          V{0, 1, 1, 0});
    CHECK(counts(run(filter("extra.test2", R"("foo")", "drop"))) == V{1, 0, 0, 1});
    CHECK(counts(run(filter("extra.test2", R"("bla")", "keep"))) == V{1, 0, 1, 0});
    CHECK(counts(run(filter("extra.test2", R"("foo")", "keep"))) == V{0, 1, 0, 1});
    // a missing key never matches
    CHECK(counts(run(filter("source.ip", R"("192.0.2.1")", "keep"))) == V{0, 1, 0, 1});
}

TEST_CASE("named paths are optional, _default is not") {
    const auto r = run(filter("extra.test2", R"("bla")", "keep"), kEvent, {"_default"});
    CHECK(r.on("_default").size() == 1);
    BotHarness bot("expert_filter", filter("extra.test2", R"("foo")", "drop"), {"filter_match"});
    const auto r2 = bot.process({kEvent});
    REQUIRE(r2.statuses.size() == 1);
    CHECK(r2.statuses[0] != SLUICE_OK);  // _default is needed and not configured
}

TEST_CASE("equality is typed, as Python's ==") {
    CHECK(counts(run(filter("extra.test1", "true", "keep")))[2] == 1);
    CHECK(counts(run(filter("extra.test1", R"("true")", "keep")))[2] == 0);
    CHECK(counts(run(filter("source.asn", "123", "keep")))[2] == 1);
    CHECK(counts(run(filter("source.asn", "123.0", "keep")))[2] == 1);
    CHECK(counts(run(filter("source.asn", R"("123")", "keep")))[2] == 0);
    // IntelMQ's test_empty_string_parameters: empty strings turn the time filter off
    const auto r = run(R"({"filter_key":"source.asn","filter_value":"","filter_action":"drop",)"
                       R"("not_before":"","not_after":""})");
    CHECK(counts(r) == V{1, 0, 0, 1});
}

TEST_CASE("filter_regex searches the field's text") {
    const std::string params = R"({"filter_key":"feed.name","filter_value":"e+d\\b","filter_regex":"search",)"
                               R"("filter_action":"keep"})";
    CHECK(counts(run(params, R"({"__type":"Event","feed.name":"test-feed"})")) == V{1, 0, 1, 0});
    CHECK(counts(run(params, R"({"__type":"Event","feed.name":"feeds"})")) == V{0, 1, 0, 1});
    const std::string boolean = R"({"filter_key":"extra.test1","filter_value":"^True$","filter_regex":true,)"
                                R"("filter_action":"keep"})";
    CHECK(counts(run(boolean)) == V{1, 0, 1, 0});
    CHECK_THROWS_AS(BotHarness("expert_filter", R"({"filter_key":"a","filter_value":"(","filter_regex":true,)"
                                                R"("filter_action":"keep"})"),
                    std::runtime_error);
}

TEST_CASE("absolute time window") {
    CHECK(run(R"({"not_before":"2014-01-01T00:00:00+00:00"})").on("_default").empty());
    CHECK(run(R"({"not_before":"2004-12-31"})").on("_default").size() == 1);
    CHECK(run(R"({"not_after":"2004-12-31T23:59:59+00:00"})").on("_default").empty());
    CHECK(run(R"({"not_after":"2005-01-01T01:00:00+01:00"})").on("_default").size() == 1);
    // an event without time.source passes
    CHECK(run(R"({"not_before":"2014-01-01"})", R"({"__type":"Event","feed.name":"x"})").on("_default").size() == 1);
}

TEST_CASE("relative time window, back from now") {
    const std::string future = R"({"__type":"Event","time.source":"2999-01-01T00:00:00+00:00"})";
    CHECK(run(R"({"not_after":"1 month"})").on("_default").size() == 1);  // 2005 is long before
    CHECK(run(R"({"not_after":"10 hours"})", future).on("_default").empty());
    CHECK(run(R"({"not_before":"2 days"})").on("_default").empty());  // 2005 is older than 2 days
    CHECK(run(R"({"not_before":"2 days"})", future).on("_default").size() == 1);
}

TEST_CASE("configuration errors stop the bot at start") {
    CHECK_THROWS_WITH_AS(BotHarness("expert_filter", "{}"), doctest::Contains("no relevant filter"),
                         std::runtime_error);
    CHECK_THROWS_AS(BotHarness("expert_filter", R"({"filter_key":"a","filter_value":"b","filter_action":"maybe"})"),
                    std::runtime_error);
    CHECK_THROWS_AS(BotHarness("expert_filter", R"({"not_after":"3 fortnights and a day"})"), std::runtime_error);
    CHECK_THROWS_AS(BotHarness("expert_filter", R"({"not_after":"yesterday-ish"})"), std::runtime_error);
}

TEST_CASE("time parsing") {
    using namespace sluice::filter;
    CHECK(parse_relative("4 hours") == 4 * 3600 * 1'000'000LL);
    CHECK(parse_relative(" 1 month ") == 30LL * 86400 * 1'000'000);
    CHECK(parse_relative("2 second") == 2'000'000);
    CHECK(!parse_relative("hours"));
    CHECK(!parse_relative("4 fortnights"));
    CHECK(mentions_timespan("3 weeks"));
    CHECK(!mentions_timespan("2024-01-01"));
    CHECK(parse_datetime("1970-01-01T00:00:00+00:00") == 0);
    CHECK(parse_datetime("1970-01-01 01:00:00+01:00") == 0);
    CHECK(parse_datetime("1970-01-02") == 86400LL * 1'000'000);
    CHECK(parse_datetime("1970-01-01T00:00:01.5Z") == 1'500'000);
    CHECK(!parse_datetime("2023-02-29"));
    CHECK(!parse_datetime("2023-01-01T25:00:00"));
    CHECK(!parse_datetime("yesterday"));
}
