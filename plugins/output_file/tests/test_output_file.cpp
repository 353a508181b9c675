// SPDX-License-Identifier: AGPL-3.0-or-later
// output_file through the real host code: what lands in the file, in which shape, and that it is
// there once the host's process+flush returned (the point at which the host acknowledges input).
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sluice/bot.h>
#include <sluice/codec.hpp>
#include <sluice/core/bot_harness.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace fs = std::filesystem;
using sluice::BotHarness;
using sluice::HarnessResult;
using sluice::test::TempDir;

namespace {

const std::string kEvent1 =
    R"({"__type":"Event","source.ip":"192.0.2.1","source.port":22,"classification.type":"scanner",)"
    R"("extra.tags":["a","b"],"raw":")" +
    sluice::base64::encode("192.0.2.1,22\n") + R"(","time.observation":"2015-01-01T00:00:00+00:00"})";
const std::string kEvent2 = R"({"__type":"Event","source.ip":"192.0.2.2","classification.type":"scanner",)"
                            R"("time.observation":"2015-01-01T00:00:00+00:00"})";

std::vector<std::string> file_lines(const fs::path& p) {
    std::vector<std::string> out;
    std::istringstream in(sluice::test::read_file(p));
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

rapidjson::Document parse(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE_MESSAGE(!d.HasParseError(), json);
    REQUIRE_MESSAGE(d.IsObject(), json);
    return d;
}

std::string params(const fs::path& file, const std::string& more = "") {
    return R"({"file": ")" + file.string() + "\"" + (more.empty() ? "" : ", " + more) + "}";
}

}  // namespace

TEST_CASE("output_file appends one JSON line per event, without raw and __type as IntelMQ writes them") {
    TempDir dir("output-file");
    const fs::path file = dir / "new" / "folder" / "events.jsonl";  // missing folders are created

    {
        BotHarness bot("output_file", params(file));
        const HarnessResult r = bot.process({kEvent1, kEvent2});
        CHECK(r.failed.empty());
        CHECK(r.statuses == std::vector<uint32_t>{SLUICE_OK, SLUICE_OK});
        // process() returned after flush: the lines are in the file now.
        const auto lines = file_lines(file);
        REQUIRE(lines.size() == 2);
        const auto first = parse(lines[0]);
        CHECK(first["source.ip"] == "192.0.2.1");
        CHECK(first["source.port"].GetInt() == 22);
        CHECK(first["classification.type"] == "scanner");
        CHECK(first["extra.tags"].IsArray());
        CHECK_FALSE(first.HasMember("raw"));
        CHECK_FALSE(first.HasMember("__type"));
        CHECK(parse(lines[1])["source.ip"] == "192.0.2.2");
    }
    // A new instance appends to what is there.
    BotHarness again("output_file", params(file));
    again.process({kEvent2});
    CHECK(file_lines(file).size() == 3);
}

namespace {

// What the line was before the bot stopped building a DOM for it: the host's JSON parsed with full
// precision, raw and __type erased, written again compactly by RapidJSON.
std::string dom_round_trip(const std::string& host_json, bool drop_raw, bool drop_type) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseFullPrecisionFlag>(host_json.c_str());
    REQUIRE_MESSAGE(d.IsObject(), host_json);
    if (drop_raw && d.HasMember("raw")) d.EraseMember(d.FindMember("raw"));
    if (drop_type && d.HasMember("__type")) d.EraseMember(d.FindMember("__type"));
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    d.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

TEST_CASE("output_file writes each event byte for byte as RapidJSON would, in the host's field order") {
    // Events the copying fast path takes and events it hands to RapidJSON: control characters the
    // host escapes as \u00xx, numbers RapidJSON re-spells, nested values, the raw field last or first.
    const std::vector<std::string> events = {
        kEvent1,
        kEvent2,
        R"({"__type":"Event","feed.accuracy":99.50,"source.ip":"192.0.2.4","raw":"YQ=="})",
        R"({"__type":"Event","raw":"YQ==","feed.accuracy":100.0,"source.ip":"192.0.2.3","extra.n":[1.50,-0,1e2,{"a":"b\/c"}]})",
        R"({"__type":"Event","event_description.text":"tab\there \"quoted\" back\\slash \u000b\u001f end","raw":"YQ==","extra.x":{"k":[true,false,null]}})",
    };
    TempDir dir("output-file");
    std::vector<std::string> host_lines;
    {
        BotHarness verbatim("output_file",
                            params(dir / "host.jsonl", R"("keep_raw_field": true, "message_with_type": true)"));
        verbatim.process(events);
        host_lines = file_lines(dir / "host.jsonl");
    }
    REQUIRE(host_lines.size() == events.size());
    struct Mode {
        const char* params;
        bool drop_raw, drop_type;
    };
    for (const Mode mode : {Mode{"", true, true}, Mode{R"("keep_raw_field": true)", false, true},
                            Mode{R"("message_with_type": true)", true, false}}) {
        INFO("parameters: " << mode.params);
        const fs::path file = dir / (std::to_string(mode.drop_raw) + std::to_string(mode.drop_type) + ".jsonl");
        BotHarness bot("output_file", params(file, mode.params));
        bot.process(events);
        const auto lines = file_lines(file);
        REQUIRE(lines.size() == host_lines.size());
        for (size_t i = 0; i < lines.size(); ++i) {
            INFO("host: " << host_lines[i]);
            CHECK(lines[i] == dom_round_trip(host_lines[i], mode.drop_raw, mode.drop_type));
        }
    }
    // The members keep the host's order: __type first, then as set, with raw and __type left out.
    CHECK(
        file_lines(dir / "11.jsonl")[1] ==
        R"({"source.ip":"192.0.2.2","classification.type":"scanner","time.observation":"2015-01-01T00:00:00+00:00"})");
}

TEST_CASE("output_file keeps raw and __type when asked") {
    TempDir dir("output-file");
    BotHarness bot("output_file", params(dir / "events.jsonl", R"("keep_raw_field": true, "message_with_type": true)"));
    bot.process({kEvent1});
    const auto lines = file_lines(dir / "events.jsonl");
    REQUIRE(lines.size() == 1);
    const auto event = parse(lines[0]);
    CHECK(event["__type"] == "Event");
    CHECK(sluice::base64::decode(event["raw"].GetString()) == "192.0.2.1,22\n");
}

TEST_CASE("output_file nests dotted keys with hierarchical_output") {
    TempDir dir("output-file");
    BotHarness bot("output_file", params(dir / "events.jsonl", R"("hierarchical_output": true)"));
    bot.process({kEvent1});
    const auto lines = file_lines(dir / "events.jsonl");
    REQUIRE(lines.size() == 1);
    const auto event = parse(lines[0]);
    REQUIRE(event.HasMember("source"));
    CHECK(event["source"]["ip"] == "192.0.2.1");
    CHECK(event["source"]["port"].GetInt() == 22);
    CHECK(event["classification"]["type"] == "scanner");
    CHECK_FALSE(event.HasMember("source.ip"));
    CHECK_FALSE(event.HasMember("raw"));
}

TEST_CASE("output_file writes only one field's value with single_key") {
    TempDir dir("output-file");
    SUBCASE("a string field; events without it are skipped") {
        BotHarness bot("output_file", params(dir / "ips.txt", R"("single_key": "source.ip")"));
        bot.process({kEvent1, R"({"__type":"Event","classification.type":"scanner"})", kEvent2});
        CHECK(sluice::test::read_file(dir / "ips.txt") == "192.0.2.1\n192.0.2.2\n");
    }
    SUBCASE("raw, decoded") {
        BotHarness bot("output_file", params(dir / "raw.txt", R"("single_key": "raw")"));
        bot.process({kEvent1});
        CHECK(sluice::test::read_file(dir / "raw.txt") == "192.0.2.1,22\n\n");
    }
    SUBCASE("a number") {
        BotHarness bot("output_file", params(dir / "ports.txt", R"("single_key": "source.port")"));
        bot.process({kEvent1});
        CHECK(sluice::test::read_file(dir / "ports.txt") == "22\n");
    }
}

TEST_CASE("output_file writes again to the file's path after it was rotated away") {
    TempDir dir("output-file");
    const fs::path file = dir / "events.jsonl";
    BotHarness bot("output_file", params(file));
    bot.process({kEvent1});
    fs::rename(file, dir / "events.jsonl.1");
    bot.process({kEvent2});
    CHECK(file_lines(dir / "events.jsonl.1").size() == 1);
    REQUIRE(file_lines(file).size() == 1);
    CHECK(parse(file_lines(file)[0])["source.ip"] == "192.0.2.2");
}

TEST_CASE("output_file refuses a file it cannot create, naming it") {
    TempDir dir("output-file");
    sluice::test::write_file(dir / "not-a-folder", "x");
    const fs::path file = dir / "not-a-folder" / "events.jsonl";
    try {
        BotHarness bot("output_file", params(file));
        FAIL("the bot was accepted");
    } catch (const std::exception& e) {
        CHECK(std::string(e.what()).find(file.string()) != std::string::npos);
    }
}
