// SPDX-License-Identifier: AGPL-3.0-or-later
// expert_taxonomy through the real host code: IntelMQ's conformance case and the unmapped-type rule.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sluice/core/bot_harness.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

const std::filesystem::path kCase = sluice::test::source_dir() / "../shared/conformance/intelmq/expert_taxonomy";

// A message as IntelMQ's assertMessageEqual compares it: time.observation dropped.
rapidjson::Document comparable(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE_MESSAGE(!d.HasParseError(), json);
    d.RemoveMember("time.observation");
    return d;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) out.push_back(line);
    }
    return out;
}

std::vector<std::string> json_array(const std::string& text) {
    rapidjson::Document d;
    d.Parse(text.c_str());
    REQUIRE(d.IsArray());
    std::vector<std::string> out;
    for (const auto& m : d.GetArray()) {
        rapidjson::Document one;
        one.CopyFrom(m, one.GetAllocator());
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        one.Accept(w);
        out.emplace_back(buf.GetString(), buf.GetSize());
    }
    return out;
}

}  // namespace

TEST_CASE("expert_taxonomy reproduces IntelMQ's four taxonomy cases") {
    sluice::BotHarness bot("expert_taxonomy", "{}");
    const auto input = json_array(sluice::test::read_file(kCase / "input.json"));
    const auto expected = lines(sluice::test::read_file(kCase / "expected.jsonl"));
    REQUIRE(input.size() == 4);

    const sluice::HarnessResult r = bot.process(input);

    CHECK(r.failed.empty());
    const auto& sent = r.on("_default");
    REQUIRE(sent.size() == expected.size());
    for (size_t i = 0; i < sent.size(); ++i) {
        INFO("message " << i << ": " << sent[i]);
        CHECK(comparable(sent[i]) == comparable(expected[i]));
    }
}

TEST_CASE("expert_taxonomy maps each type to its own taxonomy") {
    sluice::BotHarness bot("expert_taxonomy", "{}");
    const auto r = bot.process({R"({"__type":"Event","classification.type":"phishing"})",
                                R"({"__type":"Event","classification.type":"scanner"})"});
    REQUIRE(r.on("_default").size() == 2);
    CHECK(comparable(r.on("_default")[0])["classification.taxonomy"] == "fraud");
    CHECK(comparable(r.on("_default")[1])["classification.taxonomy"] == "information-gathering");
}
