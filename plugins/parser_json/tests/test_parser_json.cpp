// SPDX-License-Identifier: AGPL-3.0-or-later
// parser_json through the real host code: whole-report and line-by-line messages, raw handling,
// bad lines failed one by one, and Python's splitlines.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <sluice/bot.h>
#include <sluice/codec.hpp>
#include <sluice/core/bot_harness.hpp>

#include <string>

#include "test_support.hpp"

namespace {

using sluice::BotHarness;

std::string field(const std::string& json, const char* key) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE(d.IsObject());
    if (!d.HasMember(key)) return "<absent>";
    if (d[key].IsString()) return d[key].GetString();
    if (d[key].IsInt64()) return std::to_string(d[key].GetInt64());
    return "<other>";
}

std::string report(const std::string& text) {
    return R"({"__type":"Report","feed.name":"Test feed","time.observation":"2020-01-01T00:00:00+00:00","raw":")" +
           sluice::base64::encode(text) + "\"}";
}

}  // namespace

TEST_CASE("splitlines: one event per line, raw is the line") {
    const std::string line1 = R"({"__type": "Event", "source.ip": "127.0.0.1", "classification.type": "c2-server"})";
    const std::string line2 = R"({"source.ip": "127.0.0.2", "source.port": 80, "feed.name": "Line feed"})";
    BotHarness bot("parser_json", R"({"splitlines":true})");
    const auto r = bot.process({report(line1 + "\n" + line2 + "\r\n")});
    REQUIRE(r.failed.empty());
    const auto& out = r.on("_default");
    REQUIRE(out.size() == 2);
    CHECK(field(out[0], "__type") == "Event");
    CHECK(field(out[0], "source.ip") == "127.0.0.1");
    CHECK(field(out[0], "feed.name") == "Test feed");  // from the report
    CHECK(field(out[0], "time.observation") == "2020-01-01T00:00:00+00:00");
    CHECK(sluice::base64::decode(field(out[0], "raw")) == line1);
    CHECK(field(out[1], "source.port") == "80");
    CHECK(field(out[1], "feed.name") == "Line feed");  // the message's own value wins
    CHECK(sluice::base64::decode(field(out[1], "raw")) == line2);
}

TEST_CASE("without splitlines the whole report is one message, its own raw is kept") {
    const std::string msg = "{\n  \"source.ip\": \"192.0.2.1\",\n  \"raw\": \"aGVsbG8=\"\n}\n";
    BotHarness bot("parser_json", "{}");
    const auto r = bot.process({report(msg)});
    REQUIRE(r.failed.empty());
    REQUIRE(r.on("_default").size() == 1);
    CHECK(field(r.on("_default")[0], "source.ip") == "192.0.2.1");
    CHECK(field(r.on("_default")[0], "raw") == "aGVsbG8=");
}

TEST_CASE("a bad line is failed with its line number and reason, the others go on") {
    const std::string text = R"({"source.ip": "192.0.2.1"})"
                             "\n"
                             R"({"source.ip": "not-an-ip"})"
                             "\n"
                             "this is not json\n"
                             "\n"
                             R"(["a list"])"
                             "\n"
                             R"({"source.ip": "192.0.2.5"})";
    BotHarness bot("parser_json", R"({"splitlines":true})");
    const auto r = bot.process({report(text)});
    REQUIRE(r.statuses.size() == 1);
    CHECK(r.statuses[0] == SLUICE_OK);
    REQUIRE(r.on("_default").size() == 2);
    CHECK(field(r.on("_default")[1], "source.ip") == "192.0.2.5");
    REQUIRE(r.failed.size() == 3);
    CHECK(r.failed[0].record == R"({"source.ip": "not-an-ip"})");
    CHECK(r.failed[0].reason.find("line 2") == 0);
    CHECK(r.failed[0].reason.find("source.ip") != std::string::npos);
    CHECK(r.failed[1].reason.find("line 3: not valid JSON") == 0);
    CHECK(r.failed[2].reason.find("line 5: not a JSON object") == 0);
}
