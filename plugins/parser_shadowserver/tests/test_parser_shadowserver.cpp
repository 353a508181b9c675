// SPDX-License-Identifier: AGPL-3.0-or-later
// parser_shadowserver through the real host code (plugin loader, parameter validation,
// harmonization): IntelMQ's conformance case, a bad row, and an unknown report type.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <sluice/bot.h>
#include <sluice/codec.hpp>
#include <sluice/core/bot_harness.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

using sluice::BotHarness;
using sluice::HarnessResult;

const std::filesystem::path kCase =
    sluice::test::source_dir() / "../shared/conformance/intelmq/parser_shadowserver_telnet";

rapidjson::Document comparable(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE_MESSAGE(!d.HasParseError(), json);
    REQUIRE_MESSAGE(d.IsObject(), json);
    d.RemoveMember("time.observation");
    return d;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

std::string report(const std::string& csv, const std::string& file_name) {
    return R"({"__type": "Report", "feed.name": "Test", "raw": ")" + sluice::base64::encode(csv) +
           R"(", "extra.file_name": ")" + file_name + R"("})";
}

std::string schema_params() { return R"({"schema_file": ")" + (kCase / "schema.json.test").string() + R"("})"; }

}  // namespace

TEST_CASE("parser_shadowserver reproduces IntelMQ's telnet conformance case (test_mode)") {
    BotHarness bot("parser_shadowserver", sluice::test::read_file(kCase / "parameters.json"));
    const auto expected = lines(sluice::test::read_file(kCase / "expected.jsonl"));
    const HarnessResult r = bot.process({sluice::test::read_file(kCase / "input.json")});
    REQUIRE(r.statuses == std::vector<uint32_t>{SLUICE_OK});
    CHECK(r.failed.empty());
    const auto& sent = r.on("_default");
    REQUIRE(sent.size() == expected.size());
    for (size_t i = 0; i < sent.size(); ++i) {
        INFO("sent:     " << sent[i]);
        INFO("expected: " << expected[i]);
        CHECK(comparable(sent[i]) == comparable(expected[i]));
    }
}

TEST_CASE("parser_shadowserver reads the schema from schema_file") {
    BotHarness bot("parser_shadowserver", schema_params());
    const HarnessResult r = bot.process(
        {report(sluice::test::read_file(kCase / "test_telnet.csv"), "2019-01-01-test_telnet-test-geo.csv")});
    REQUIRE(r.statuses == std::vector<uint32_t>{SLUICE_OK});
    CHECK(r.on("_default").size() == 2);
}

TEST_CASE("parser_shadowserver fails a bad row with its line and column, and still sends the good rows") {
    BotHarness bot("parser_shadowserver", schema_params());
    const std::string csv =
        "\"timestamp\",\"ip\",\"protocol\",\"port\",\"hostname\"\n"
        "\"2019-09-04 12:27:34\",\"198.123.245.145\",\"tcp\",5678,\"a.example\"\n"
        "\"2019-09-04 12:27:35\",\"198.123.245.146\",\"tcp\",\"not-a-port\",\"b.example\"\n"
        "\"2019-09-04 12:27:36\",\"198.123.245.147\",\"tcp\",23,\"c.example\"\n";
    const HarnessResult r = bot.process({report(csv, "2019-01-01-test_telnet-test-geo.csv")});
    REQUIRE(r.statuses == std::vector<uint32_t>{SLUICE_OK});
    CHECK(r.on("_default").size() == 2);
    REQUIRE(r.failed.size() == 1);
    INFO(r.failed[0].reason);
    CHECK(r.failed[0].reason.find("line 3") != std::string::npos);
    CHECK(r.failed[0].reason.find("column 4 (port)") != std::string::npos);
    CHECK(r.failed[0].record.find("not-a-port") != std::string::npos);
}

TEST_CASE("parser_shadowserver refuses a report of a type the schema does not describe") {
    BotHarness bot("parser_shadowserver", schema_params());
    const HarnessResult r = bot.process({report("\"a\"\n\"1\"\n", "2019-01-01-scan_nothing-test-geo.csv")});
    REQUIRE(r.statuses == std::vector<uint32_t>{SLUICE_REJECT});
    CHECK(r.on("_default").empty());
    REQUIRE(r.failed.size() == 1);
    INFO(r.failed[0].reason);
    CHECK(r.failed[0].reason.find("unknown report type 'scan_nothing'") != std::string::npos);
}

TEST_CASE("parser_shadowserver uses a fixed feedname and overwrites feed.name when asked") {
    BotHarness bot("parser_shadowserver", R"({"schema_file": ")" + (kCase / "schema.json.test").string() +
                                              R"(", "feedname": "Test-Accessible-Telnet", "overwrite": true})");
    const HarnessResult r = bot.process({report(sluice::test::read_file(kCase / "test_telnet.csv"), "whatever")});
    REQUIRE(r.statuses == std::vector<uint32_t>{SLUICE_OK});
    REQUIRE(r.on("_default").size() == 2);
    CHECK(r.on("_default")[0].find("\"feed.name\":\"Test-Accessible-Telnet\"") != std::string::npos);
}

TEST_CASE("parser_shadowserver refuses to start without a schema") {
    CHECK_THROWS(BotHarness("parser_shadowserver", "{}"));
}

TEST_CASE("parser_shadowserver skips a required key the harmonization lacks and puts leftover columns in extra") {
    BotHarness bot("parser_shadowserver", schema_params());
    const std::string csv =
        "\"timestamp\",\"ip\",\"protocol\",\"port\",\"severity\",\"other\"\n"
        "\"2019-09-04 12:27:34\",\"0.0.0.0\",\"udp\",7001,\"high\",\"x\"\n";
    const HarnessResult r = bot.process({report(csv, "test_afs.csv")});
    REQUIRE(r.statuses == std::vector<uint32_t>{SLUICE_OK});
    CHECK(r.failed.empty());
    REQUIRE(r.on("_default").size() == 1);
    const auto d = comparable(r.on("_default")[0]);
    CHECK(!d.HasMember("source.ip"));
    CHECK(std::string(d["extra.ip"].GetString()) == "0.0.0.0");
    CHECK(std::string(d["extra.other"].GetString()) == "x");
    CHECK(!d.HasMember("extra.severity"));
    CHECK(d["source.port"].GetInt() == 7001);
    CHECK(std::string(d["protocol.transport"].GetString()) == "udp");
}
