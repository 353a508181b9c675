// SPDX-License-Identifier: AGPL-3.0-or-later
// parser_abusech_feodotracker through the real host code: field mapping, time.source from
// first_seen or last_online, raw as Python's json.dumps, bad records failed one by one.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <sluice/bot.h>
#include <sluice/codec.hpp>
#include <sluice/core/bot_harness.hpp>

#include <string>

#include "../python_json.hpp"
#include "../strict_time.hpp"
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
    return R"({"__type":"Report","time.observation":"2022-11-16T00:00:00+00:00","raw":")" +
           sluice::base64::encode(text) + "\"}";
}

std::string py(const char* json) {
    rapidjson::Document d;
    d.Parse(json);
    REQUIRE(!d.HasParseError());
    return sluice::feodo::python_json(d);
}

}  // namespace

TEST_CASE("one c2-server event per record") {
    const std::string feed = R"([
      {"ip_address": "51.178.161.32", "port": 4643, "status": "online", "hostname": "srv-web.ffconsulting.com",
       "as_number": 16276, "as_name": "OVH", "country": "FR", "first_seen": "2021-01-17 07:44:46",
       "last_online": "2022-11-15", "malware": "Dridex"},
      {"ip_address": "1.234.21.73", "port": 6601, "status": "online", "hostname": null, "as_number": 9318,
       "as_name": "SKB-AS", "country": "KR", "last_online": "2022-11-15", "malware": "Dridex"}
    ])";
    BotHarness bot("parser_abusech_feodotracker", "{}");
    const auto r = bot.process({report(feed)});
    REQUIRE(r.failed.empty());
    const auto& out = r.on("_default");
    REQUIRE(out.size() == 2);
    CHECK(field(out[0], "classification.type") == "c2-server");
    CHECK(field(out[0], "source.ip") == "51.178.161.32");
    CHECK(field(out[0], "source.port") == "4643");
    CHECK(field(out[0], "source.asn") == "16276");
    CHECK(field(out[0], "source.reverse_dns") == "srv-web.ffconsulting.com");
    CHECK(field(out[0], "malware.name") == "dridex");
    CHECK(field(out[0], "extra.last_online") == "2022-11-15");
    CHECK(field(out[0], "status") == "online");
    CHECK(field(out[0], "time.source") == "2021-01-17T07:44:46+00:00");
    CHECK(sluice::base64::decode(field(out[0], "raw"))
              .starts_with(R"([{"ip_address": "51.178.161.32", "port": 4643, "status": "online", )"));
    // no first_seen: last_online at midnight; a null hostname is left out
    CHECK(field(out[1], "time.source") == "2022-11-15T00:00:00+00:00");
    CHECK(field(out[1], "source.reverse_dns") == "<absent>");
}

TEST_CASE("a bad record is failed, optional fields the harmonization refuses are left out") {
    const std::string feed = R"([
      {"ip_address": "not-an-ip", "port": 1},
      {"ip_address": "192.0.2.1", "port": 443, "country": "not a country", "first_seen": "17.01.2021"},
      "just a string"
    ])";
    BotHarness bot("parser_abusech_feodotracker", "{}");
    const auto r = bot.process({report(feed)});
    REQUIRE(r.statuses.size() == 1);
    CHECK(r.statuses[0] == SLUICE_OK);
    REQUIRE(r.on("_default").size() == 1);
    CHECK(field(r.on("_default")[0], "source.geolocation.cc") == "<absent>");
    CHECK(field(r.on("_default")[0], "time.source") == "<absent>");
    REQUIRE(r.failed.size() == 2);
    CHECK(r.failed[0].record == R"([{"ip_address": "not-an-ip", "port": 1}])");
    CHECK(r.failed[0].reason.find("record 1: ") == 0);
    CHECK(r.failed[0].reason.find("source.ip") != std::string::npos);
    CHECK(r.failed[1].reason == "record 3: not a JSON object");
}

TEST_CASE("a report that is not a JSON list is rejected") {
    BotHarness bot("parser_abusech_feodotracker", "{}");
    const auto r = bot.process({report(R"({"ip_address": "192.0.2.1"})"), report("[1, 2")});
    REQUIRE(r.statuses.size() == 2);
    CHECK(r.statuses[0] == SLUICE_REJECT);
    CHECK(r.statuses[1] == SLUICE_REJECT);
}

TEST_CASE("Python's json.dumps") {
    CHECK(py(R"([{"a": 1, "b": [true, null], "c": "x\"y"}])") == R"([{"a": 1, "b": [true, null], "c": "x\"y"}])");
    CHECK(py(R"(["caf\u00e9 \ud83d\ude00 \u007f"])") == R"(["caf\u00e9 \ud83d\ude00 \u007f"])");
    CHECK(py("[1.0, 0.5, 100.25, 1e16, 1.5e-5, 0.0001, -2.0]") == "[1.0, 0.5, 100.25, 1e+16, 1.5e-05, 0.0001, -2.0]");
    CHECK(py(R"({"k": "tab\there\n"})") == R"({"k": "tab\there\n"})");
}

TEST_CASE("strict times") {
    using namespace sluice::feodo;
    CHECK(from_date_time("2021-01-17 07:44:46") == "2021-01-17T07:44:46+00:00");
    CHECK(from_date_time("2021-1-7 7:04:06") == "2021-01-07T07:04:06+00:00");
    CHECK(!from_date_time("2021-01-17T07:44:46"));
    CHECK(!from_date_time("2021-02-30 00:00:00"));
    CHECK(from_date_midnight("2022-11-15") == "2022-11-15T00:00:00+00:00");
    CHECK(!from_date_midnight("2022-11-15 00:00:00"));
}
