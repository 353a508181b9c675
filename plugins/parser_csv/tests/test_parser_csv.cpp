// SPDX-License-Identifier: AGPL-3.0-or-later
// parser_csv through the real host code (plugin loader, parameter validation, harmonization):
// IntelMQ's conformance case, IntelMQ's own generic CSV parser tests, and the failure path.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
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

const std::filesystem::path kCase = sluice::test::source_dir() / "../shared/conformance/intelmq/parser_generic_csv";

rapidjson::Document parse(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE_MESSAGE(!d.HasParseError(), json);
    REQUIRE_MESSAGE(d.IsObject(), json);
    return d;
}

// A message as IntelMQ's assertMessageEqual compares it: time.observation dropped.
rapidjson::Document comparable(const std::string& json) {
    rapidjson::Document d = parse(json);
    d.RemoveMember("time.observation");
    return d;
}

std::string compact(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

// Checks a sent event against an expected one, ignoring time.observation.
void check_event(const std::string& sent, const std::string& expected) {
    INFO("sent:     " << sent);
    INFO("expected: " << expected);
    CHECK(comparable(sent) == comparable(expected));
}

// One field of a sent message as text ("" when absent).
std::string field(const std::string& json, const char* key) {
    const rapidjson::Document d = parse(json);
    if (!d.HasMember(key)) return {};
    const rapidjson::Value& v = d[key];
    return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : compact(v);
}

std::string decoded_raw(const std::string& json) { return sluice::base64::decode(field(json, "raw")); }

// A Report carrying `text` as its raw, as a collector would send it.
std::string report(const std::string& text) {
    return R"({"__type":"Report","feed.name":"Sample CSV Feed","time.observation":"2015-01-01T00:00:00+00:00","raw":")" +
           sluice::base64::encode(text) + "\"}";
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) out.push_back(line);
    }
    return out;
}

}  // namespace

TEST_CASE("parser_csv reproduces IntelMQ's generic CSV conformance case") {
    BotHarness bot("parser_csv", sluice::test::read_file(kCase / "parameters.json"));
    const auto expected = lines(sluice::test::read_file(kCase / "expected.jsonl"));

    const HarnessResult r = bot.process({sluice::test::read_file(kCase / "input.json")});

    CHECK(r.failed.empty());
    const auto& sent = r.on("_default");
    REQUIRE(sent.size() == expected.size());
    for (size_t i = 0; i < sent.size(); ++i) check_event(sent[i], expected[i]);
}

TEST_CASE("parser_csv fails a bad line with its line, column and key, and still sends the good lines") {
    BotHarness bot("parser_csv", R"({"columns": ["time.source", "source.ip", "source.fqdn"], "type": "scanner"})");
    const std::string text =
        "# a comment line\n"
        "2018-08-01 07:49:41,127.0.0.1,example.com\n"
        "2018-08-01 07:49:41,127.0.0.1,.\n"
        "2018-08-01 07:49:42,127.0.0.2\n"
        "2018-08-01 07:49:43,127.0.0.3,example.org\n";

    const HarnessResult r = bot.process({report(text)});

    const auto& sent = r.on("_default");
    REQUIRE(sent.size() == 2);
    CHECK(field(sent[0], "source.fqdn") == "example.com");
    CHECK(field(sent[1], "source.ip") == "127.0.0.3");
    CHECK(field(sent[1], "time.source") == "2018-08-01T07:49:43+00:00");
    CHECK(field(sent[1], "classification.type") == "scanner");

    REQUIRE(r.failed.size() == 2);
    CHECK(r.failed[0].record == "2018-08-01 07:49:41,127.0.0.1,.");
    CHECK(r.failed[0].reason.find("line 3") != std::string::npos);
    CHECK(r.failed[0].reason.find("column 3") != std::string::npos);
    CHECK(r.failed[0].reason.find("source.fqdn") != std::string::npos);
    // The short line is missing a required column.
    CHECK(r.failed[1].record == "2018-08-01 07:49:42,127.0.0.2");
    CHECK(r.failed[1].reason.find("line 4") != std::string::npos);
    CHECK(r.failed[1].reason.find("column 3") != std::string::npos);
    // The report itself is acknowledged: only the bad lines are given up.
    CHECK(r.statuses == std::vector<uint32_t>{SLUICE_OK});
}

TEST_CASE("parser_csv drops NULs, comments, indentation and blank lines before reading, and names original lines") {
    // The report is prepared in the decoded buffer itself, so dropped text between kept lines must
    // leave the kept lines whole and the line numbers those of the report as it came.
    BotHarness bot("parser_csv", R"({"columns": ["source.ip", "source.fqdn"], "type": "scanner"})");
    using namespace std::string_literals;  // the s suffix keeps the NULs
    const std::string text =
        "# header comment\n"           // 1: a comment, dropped
        "\t  192.0.2.1,a.example\n"    // 2: indented, the blanks go
        "\n"                           // 3: blank, dropped
        "   # indented comment\n"      // 4: a comment after blanks, dropped
        "192.0.\0002.2,b.exa\0mple\n"  // 5: NULs removed
        "  \t \n"                      // 6: only blanks, dropped
        "192.0.2.3,.\n"                // 7: refused
        "192.0.2.4,d.example"s;        // 8: no final line break
    const HarnessResult r = bot.process({report(text)});

    const auto& sent = r.on("_default");
    REQUIRE(sent.size() == 3);
    CHECK(field(sent[0], "source.ip") == "192.0.2.1");
    CHECK(decoded_raw(sent[0]) == "192.0.2.1,a.example\n");
    CHECK(field(sent[1], "source.ip") == "192.0.2.2");
    CHECK(field(sent[1], "source.fqdn") == "b.example");
    CHECK(field(sent[2], "source.fqdn") == "d.example");
    CHECK(decoded_raw(sent[2]) == "192.0.2.4,d.example\n");
    REQUIRE(r.failed.size() == 1);
    CHECK(r.failed[0].record == "192.0.2.3,.");
    CHECK(r.failed[0].reason.find("line 7") != std::string::npos);
}

TEST_CASE("parser_csv skips values no key accepts in columns that are not required (IntelMQ test_error_ignore)") {
    BotHarness bot("parser_csv", R"({"columns": ["time.source", "source.ip", "source.fqdn"],
                                     "columns_required": [true, true, false], "type": "malware-distribution"})");
    const HarnessResult r = bot.process({report("2018-08-01T07:49:41+00:00,127.0.0.1,.\n")});
    CHECK(r.failed.empty());
    REQUIRE(r.on("_default").size() == 1);
    CHECK(field(r.on("_default")[0], "source.fqdn").empty());
    CHECK(decoded_raw(r.on("_default")[0]) == "2018-08-01T07:49:41+00:00,127.0.0.1,.\n");
}

TEST_CASE("parser_csv reads quoted fields holding delimiters, quotes and line breaks") {
    BotHarness bot("parser_csv", R"({"columns": ["source.ip", "event_description.text", "source.fqdn"],
                                     "type": "scanner"})");
    const std::string text =
        "192.0.2.1,\"one, two\",a.example\n"
        "192.0.2.2,\"said \"\"hi\"\"\nover two lines\",b.example\n"
        "192.0.2.3,plain,\n"
        "not-an-ip,x,c.example\n";

    const HarnessResult r = bot.process({report(text)});

    const auto& sent = r.on("_default");
    REQUIRE(sent.size() == 3);
    CHECK(field(sent[0], "event_description.text") == "one, two");
    CHECK(decoded_raw(sent[0]) == "192.0.2.1,\"one, two\",a.example\n");
    CHECK(field(sent[1], "event_description.text") == "said \"hi\"\nover two lines");
    CHECK(field(sent[1], "source.fqdn") == "b.example");
    CHECK(decoded_raw(sent[1]) == "192.0.2.2,\"said \"\"hi\"\"\nover two lines\",b.example\n");
    CHECK(field(sent[2], "source.fqdn").empty());  // an empty value sets nothing and is no error
    // Line numbers count the original lines, the quoted line break included.
    REQUIRE(r.failed.size() == 1);
    CHECK(r.failed[0].record == "not-an-ip,x,c.example");
    CHECK(r.failed[0].reason.find("line 5") != std::string::npos);
}

TEST_CASE("parser_csv translates classification types (IntelMQ test_parser_csv2)") {
    const std::string raw_text =
        "2016-12-14 04:19:00\tTesting\tReally bad actor site comment\tNothing\tUnimportant\t"
        "www.cennoworld.com/Payment_Confirmation/Payment_Confirmation.zip\t198.105.221.161\t"
        "mail5.bulls.unisonplatform.com\tjust another comment";
    const std::string columns =
        R"(["time.source", "classification.type", "event_description.text", "__IGNORE__", "__IGNORE__",
            "source.url", "source.ip", "source.fqdn", "__IGNORE__"])";
    const std::string expected =
        R"({"feed.name": "Sample CSV Feed", "__type": "Event", "time.source": "2016-12-14T04:19:00+00:00",
            "source.url": "http://www.cennoworld.com/Payment_Confirmation/Payment_Confirmation.zip",
            "source.ip": "198.105.221.161", "source.fqdn": "mail5.bulls.unisonplatform.com",
            "event_description.text": "Really bad actor site comment",
            "classification.type": "malware-distribution",
            "raw": "MjAxNi0xMi0xNCAwNDoxOTowMCxUZXN0aW5nLFJlYWxseSBiYWQgYWN0b3Igc2l0ZSBjb21tZW50LE5vdGhpbmcsVW5pbXBvcnRhbnQsd3d3LmNlbm5vd29ybGQuY29tL1BheW1lbnRfQ29uZmlybWF0aW9uL1BheW1lbnRfQ29uZmlybWF0aW9uLnppcCwxOTguMTA1LjIyMS4xNjEsbWFpbDUuYnVsbHMudW5pc29ucGxhdGZvcm0uY29tLGp1c3QgYW5vdGhlciBjb21tZW50DQo="})";

    SUBCASE("as a JSON object") {
        BotHarness bot("parser_csv", R"({"columns": )" + columns + R"(, "delimiter": "\t",
                                         "type_translation": {"Testing": "malware-distribution"}})");
        const HarnessResult r = bot.process({report(raw_text)});
        REQUIRE(r.on("_default").size() == 1);
        check_event(r.on("_default")[0], expected);
    }
    SUBCASE("as a string holding JSON, as IntelMQ configurations often give it") {
        BotHarness bot("parser_csv", R"({"columns": )" + columns + R"(, "delimiter": "\t",
                                         "type_translation": "{\"Testing\": \"malware-distribution\"}"})");
        const HarnessResult r = bot.process({report(raw_text)});
        REQUIRE(r.on("_default").size() == 1);
        check_event(r.on("_default")[0], expected);
    }
    SUBCASE("a value missing from the translation fails the line when no type is configured") {
        BotHarness bot("parser_csv", R"({"columns": ["source.ip", "classification.type"],
                                         "type_translation": {"bad": "malware-distribution"}})");
        const HarnessResult r = bot.process({report("192.0.2.1,bad\n192.0.2.2,unknown\n")});
        REQUIRE(r.on("_default").size() == 1);
        CHECK(field(r.on("_default")[0], "classification.type") == "malware-distribution");
        REQUIRE(r.failed.size() == 1);
        CHECK(r.failed[0].reason.find("classification.type") != std::string::npos);
    }
}

TEST_CASE("parser_csv converts times with every time_format") {
    struct Case {
        const char* format;
        const char* value;
        const char* expected;
    };
    const Case cases[] = {
        {"timestamp", "1495782036", "2017-05-26T07:00:36+00:00"},
        {"timestamp", "1495782036.25", "2017-05-26T07:00:36.250000+00:00"},
        {"epoch_millis", "149578203612", "2017-05-26T07:00:36+00:00"},
        {"epoch_millis", "1495782036", "2017-05-26T07:00:36+00:00"},
        {"epoch_millis", "1495782036123", "2017-05-26T07:00:36+00:00"},
        {"windows_nt", "131658048000000000", "2018-03-18T00:00:00+00:00"},
        {"from_format|%d/%b/%Y:%H:%M:%S %z", "01/Aug/2018:09:49:41 +0200", "2018-08-01T07:49:41+00:00"},
        {"from_format|%b %d %Y %I:%M%p", "Aug  1 2018 9:49PM", "2018-08-01T21:49:00+00:00"},
        {"from_format_midnight|%d.%m.%Y", "01.08.2018", "2018-08-01T00:00:00+00:00"},
        {"from_format_midnight|%Y-%j", "2018-213", "2018-08-01T00:00:00+00:00"},
        {"from_format|%a, %d %b %Y %H:%M:%S %Z", "Wed, 01 Aug 2018 07:49:41 GMT", "2018-08-01T07:49:41+00:00"},
    };
    SUBCASE("each conversion gives IntelMQ's result") {
        for (const Case& c : cases) {
            INFO(c.format << " on " << c.value);
            BotHarness bot("parser_csv", std::string(R"({"columns": ["time.source", "source.ip"], "type": "scanner",
                                                         "delimiter": ";", "time_format": ")") +
                                             c.format + "\"}");
            const HarnessResult r = bot.process({report(std::string(c.value) + ";192.0.2.1\n")});
            CHECK(r.failed.empty());
            REQUIRE(r.on("_default").size() == 1);
            CHECK(field(r.on("_default")[0], "time.source") == c.expected);
        }
    }
    SUBCASE("a time that does not match its format fails the line, naming the key") {
        BotHarness bot("parser_csv", R"({"columns": ["time.source", "source.ip"], "type": "scanner",
                                         "time_format": "from_format|%Y-%m-%d"})");
        const HarnessResult r = bot.process({report("2018-02-30,192.0.2.1\n2018-02-28,192.0.2.2\n")});
        REQUIRE(r.on("_default").size() == 1);
        CHECK(field(r.on("_default")[0], "time.source") == "2018-02-28T00:00:00+00:00");
        REQUIRE(r.failed.size() == 1);
        CHECK(r.failed[0].reason.find("line 1") != std::string::npos);
        CHECK(r.failed[0].reason.find("time.source") != std::string::npos);
    }
    SUBCASE("an unknown time_format refuses the bot, naming the parameter and value") {
        try {
            BotHarness bot("parser_csv", R"({"columns": ["time.source"], "time_format": "from_fromat|%Y"})");
            FAIL("the bot was accepted");
        } catch (const std::exception& e) {
            CHECK(std::string(e.what()).find("time_format") != std::string::npos);
            CHECK(std::string(e.what()).find("from_fromat") != std::string::npos);
        }
    }
}

TEST_CASE("parser_csv skips header lines and keeps them in each event's raw (IntelMQ test_parser_csv_skip_header)") {
    const std::string body = "11.11.11.11,http://test.com\n5.5.5.5,https://example.com\n";
    SUBCASE("skip_header true") {
        BotHarness bot("parser_csv",
                       R"({"columns": ["source.ip", "source.url"], "skip_header": true, "type": "blacklist"})");
        const HarnessResult r = bot.process({report("source_ip,source_url\n" + body)});
        const auto& sent = r.on("_default");
        REQUIRE(sent.size() == 2);
        check_event(sent[0], R"({"__type": "Event", "feed.name": "Sample CSV Feed", "classification.type": "blacklist",
                                 "raw": "c291cmNlX2lwLHNvdXJjZV91cmwKMTEuMTEuMTEuMTEsaHR0cDovL3Rlc3QuY29tCg==",
                                 "source.ip": "11.11.11.11", "source.url": "http://test.com"})");
        check_event(sent[1], R"({"__type": "Event", "feed.name": "Sample CSV Feed", "classification.type": "blacklist",
                                 "raw": "c291cmNlX2lwLHNvdXJjZV91cmwKNS41LjUuNSxodHRwczovL2V4YW1wbGUuY29tCg==",
                                 "source.ip": "5.5.5.5", "source.url": "https://example.com"})");
    }
    SUBCASE("skip_header 2") {
        BotHarness bot("parser_csv",
                       R"({"columns": ["source.ip", "source.url"], "skip_header": 2, "type": "blacklist"})");
        const HarnessResult r = bot.process({report("another line to be skipped\nsource_ip,source_url\n" + body)});
        const auto& sent = r.on("_default");
        REQUIRE(sent.size() == 2);
        CHECK(
            field(sent[0], "raw") ==
            "YW5vdGhlciBsaW5lIHRvIGJlIHNraXBwZWQKc291cmNlX2lwLHNvdXJjZV91cmwKMTEuMTEuMTEuMTEsaHR0cDovL3Rlc3QuY29tCg==");
        CHECK(field(sent[1], "source.ip") == "5.5.5.5");
    }
    SUBCASE("skip_header false reads the first line as data") {
        BotHarness bot("parser_csv",
                       R"({"columns": ["source.ip", "source.url"], "skip_header": false, "type": "blacklist"})");
        const HarnessResult r = bot.process({report(body)});
        REQUIRE(r.on("_default").size() == 2);
        CHECK(field(r.on("_default")[0], "raw") == "MTEuMTEuMTEuMTEsaHR0cDovL3Rlc3QuY29tCg==");
    }
}

TEST_CASE("parser_csv tries the keys of a column in turn (IntelMQ test_parser_multivalue_cols)") {
    BotHarness bot("parser_csv", R"({"columns": ["source.ip|source.network", "source.url"], "skip_header": true,
                                     "type": "infected-system", "time_format": "timestamp"})");
    const std::string text =
        "source_ip,source_url\n"
        "11.11.11.11,http://test.com\n"
        "11.11.11.0/24,http://test.com\n"
        "#12345,http://invalid-test.com\n";

    const HarnessResult r = bot.process({report(text)});

    CHECK(r.failed.empty());
    const auto& sent = r.on("_default");
    REQUIRE(sent.size() == 2);
    check_event(sent[0],
                R"({"feed.name": "Sample CSV Feed", "__type": "Event", "classification.type": "infected-system",
                             "source.ip": "11.11.11.11", "source.url": "http://test.com",
                             "raw": ")" +
                    sluice::base64::encode("source_ip,source_url\n11.11.11.11,http://test.com\n") + "\"}");
    check_event(sent[1],
                R"({"feed.name": "Sample CSV Feed", "__type": "Event", "classification.type": "infected-system",
                             "source.network": "11.11.11.0/24", "source.url": "http://test.com",
                             "raw": ")" +
                    sluice::base64::encode("source_ip,source_url\n11.11.11.0/24,http://test.com\n") + "\"}");
}

TEST_CASE("parser_csv composes fields from the row (IntelMQ test_compose_fields)") {
    BotHarness bot("parser_csv", R"({"columns": ["source.fqdn", "source.urlpath"],
                                     "compose_fields": {"source.url": "http://{0}{1}"}, "type": "malware-distribution"})");
    const HarnessResult r = bot.process({report("# Host,Path\nexample.com,/foo/\n")});
    REQUIRE(r.on("_default").size() == 1);
    check_event(r.on("_default")[0],
                R"({"feed.name": "Sample CSV Feed", "__type": "Event", "source.urlpath": "/foo/",
                    "source.url": "http://example.com/foo/", "source.fqdn": "example.com",
                    "classification.type": "malware-distribution", "raw": ")" +
                    sluice::base64::encode("example.com,/foo/\n") + "\"}");
}

TEST_CASE("parser_csv stores data_type json columns as JSON and keeps the report's line ending") {
    BotHarness bot("parser_csv", R"({"columns": ["source.ip", "source.url", "extra.tags"], "skip_header": true,
                                     "type": "infected-system", "data_type": "{\"extra.tags\":\"json\"}"})");
    const std::string header = "source_ip,source_url,tags";
    const std::string row = "11.11.11.11,http://test.com,\"[\"\"t1\"\",\"\"t2\"\",\"\"t3\"\"]\"";

    SUBCASE("\\n") {
        const HarnessResult r = bot.process({report(header + "\n" + row + "\n")});
        REQUIRE(r.on("_default").size() == 1);
        check_event(r.on("_default")[0],
                    R"({"feed.name": "Sample CSV Feed", "__type": "Event", "classification.type": "infected-system",
                        "source.ip": "11.11.11.11", "source.url": "http://test.com", "extra.tags": ["t1", "t2", "t3"],
                        "raw": ")" +
                        sluice::base64::encode(header + "\n" + row + "\n") + "\"}");
    }
    SUBCASE("\\r\\n") {
        const HarnessResult r = bot.process({report(header + "\r\n" + row + "\r\n")});
        REQUIRE(r.on("_default").size() == 1);
        CHECK(decoded_raw(r.on("_default")[0]) == header + "\r\n" + row + "\r\n");
    }
    SUBCASE("mixed line endings: \\r\\n, the csv module's default") {
        const HarnessResult r = bot.process({report(header + "\n" + row + "\r\n" + row)});
        REQUIRE(r.on("_default").size() == 2);
        CHECK(decoded_raw(r.on("_default")[0]) == header + "\r\n" + row + "\r\n");
        CHECK(decoded_raw(r.on("_default")[1]) == header + "\r\n" + row + "\r\n");
    }
}

TEST_CASE("parser_csv filters lines by filter_text and filter_type (IntelMQ test_filter_*)") {
    const std::string text =
        "# This is a sample ipset file.\n"
        "ipset add testIP 127.0.0.1\n"
        "ipset add testIP 10.1.1.1\n"
        "ipset del testIP 10.1.1.2\n";
    const std::string expected =
        R"({"feed.name": "Sample CSV Feed", "__type": "Event", "raw": "aXBzZXQsYWRkLHRlc3RJUCwxMC4xLjEuMQo=",
            "classification.type": "blacklist", "source.ip": "10.1.1.1"})";
    SUBCASE("blacklist") {
        BotHarness bot("parser_csv", R"({"columns": ["__IGNORE__", "__IGNORE__", "__IGNORE__", "source.ip"],
                                         "delimiter": " ", "type": "blacklist", "filter_text": "127.0.0.1",
                                         "filter_type": "blacklist"})");
        const HarnessResult r = bot.process({report(text)});
        REQUIRE(r.on("_default").size() == 2);
        check_event(r.on("_default")[0], expected);
    }
    SUBCASE("whitelist") {
        BotHarness bot("parser_csv", R"({"columns": ["__IGNORE__", "__IGNORE__", "__IGNORE__", "source.ip"],
                                         "delimiter": " ", "type": "blacklist", "filter_text": "add testIP 10",
                                         "filter_type": "whitelist"})");
        const HarnessResult r = bot.process({report(text)});
        REQUIRE(r.on("_default").size() == 1);
        check_event(r.on("_default")[0], expected);
    }
}

TEST_CASE("parser_csv accepts columns as one comma-separated string (IntelMQ test_strcol)") {
    BotHarness bot("parser_csv", R"({"columns": "source.ip, __IGNORE__,source.fqdn", "type": "scanner"})");
    const HarnessResult r = bot.process({report("192.0.2.1,whatever,example.com\n")});
    REQUIRE(r.on("_default").size() == 1);
    CHECK(field(r.on("_default")[0], "source.fqdn") == "example.com");
}

TEST_CASE("parser_csv refuses parameters it cannot honour, naming them") {
    const char* bad[][2] = {
        {R"({"columns": ["source.ip", "source.fqdn"], "columns_required": [true]})", "columns_required"},
        {R"({"columns": ["source.ip"], "filter_type": "greylist", "filter_text": "x"})", "filter_type"},
        {R"({"columns": ["source.ip"], "delimiter": ",,"})", "delimiter"},
        {R"({"columns": ["source.ip"], "compose_fields": {"source.url": "{0!r}"}})", "compose_fields"},
        {R"({"columns": ["source.ip"], "data_type": {"extra.tags": "yaml"}})", "data_type"},
    };
    for (const auto& row : bad) {
        const std::string params = row[0], name = row[1];
        INFO(params);
        try {
            BotHarness bot("parser_csv", params);
            FAIL("the bot was accepted");
        } catch (const std::exception& e) {
            CHECK(std::string(e.what()).find(name) != std::string::npos);
        }
    }
}

TEST_CASE("base64 codec: decode refuses what is not base64, encode and decode round-trip") {
    CHECK_THROWS_AS(sluice::base64::decode("bm90IGJhc2U2NA=!"), sluice::base64::DecodeError);
    CHECK_THROWS_AS(sluice::base64::decode("abc"), sluice::base64::DecodeError);
    CHECK_THROWS_AS(sluice::base64::decode("ab c"), sluice::base64::DecodeError);
    CHECK_THROWS_AS(sluice::base64::decode("a==="), sluice::base64::DecodeError);
    CHECK_THROWS_AS(sluice::base64::decode("YQ==YWI="), sluice::base64::DecodeError);
    const std::string binary("\0\xff\x10 ok", 6);
    CHECK(sluice::base64::decode(sluice::base64::encode(binary)) == binary);
    CHECK(sluice::base64::encode("") == "");
    CHECK(sluice::base64::encode("a") == "YQ==");
    CHECK(sluice::base64::encode("ab") == "YWI=");
    CHECK(sluice::base64::encode("abc") == "YWJj");
    CHECK(sluice::base64::decode("YQ==") == "a");
    CHECK(sluice::base64::decode("YWI=") == "ab");
    CHECK(sluice::base64::decode("YWJj") == "abc");
}

namespace {

// A report of `rows` rows, many times the bot's window of prepared text (128 KiB), with what
// parser_csv must make of it: the source.fqdn of each event in order, and the line of each row it
// must fail. Comments, blank lines, rows with a quoted line break, bad rows and one quoted field of
// several hundred kilobytes are spread over it, so windows end inside all of them.
struct BigReport {
    std::string text;
    std::vector<std::string> fqdns;
    std::vector<size_t> bad_lines;
};

// `eol` ends every line; `late_line`, if not empty, is put in near the end: a comment, or a row
// for late.example. Lines are split at '\n'
// for dropping comments, blanks and indentation: with `eol` "\r" there are none to drop.
BigReport big_report(const std::string& eol, size_t rows, const std::string& late_line = "") {
    const bool lines_to_drop = eol != "\r";
    BigReport r;
    size_t line = 1;
    r.text = "ip,description,fqdn" + eol;  // skipped: skip_header
    ++line;
    for (size_t i = 0; i < rows; ++i) {
        if (!late_line.empty() && i == rows - 10) {
            r.text += late_line;
            if (late_line.front() != '#') r.fqdns.push_back("late.example");
            ++line;
        }
        const std::string fqdn = "host-" + std::to_string(i) + ".example";
        if (lines_to_drop && i % 97 == 5) {
            r.text += "  # comment " + std::to_string(i) + eol;
            ++line;
        } else if (lines_to_drop && i % 89 == 7) {
            r.text += std::string(" \t\0", 3) + eol;  // blank once its NUL and blanks are gone
            ++line;
        } else if (i % 101 == 9) {
            r.text += "not-an-ip,x," + fqdn + eol;
            r.bad_lines.push_back(line++);
        } else if (i % 53 == 11) {
            r.text += "192.0.2.1,\"two" + eol + "lines\"," + fqdn + eol;
            r.fqdns.push_back(fqdn);
            line += 2;
        } else if (i == rows / 2) {
            r.text += "192.0.2.2,\"";
            for (size_t k = 0; k < 12000; ++k) r.text += "a long quoted field, line " + std::to_string(k) + eol;
            r.text += "end\"," + fqdn + eol;
            r.fqdns.push_back(fqdn);
            line += 12001;
        } else {
            r.text += (lines_to_drop ? "\t192.0.2.3," : "192.0.2.3,") + std::to_string(i) + "," + fqdn + eol;
            r.fqdns.push_back(fqdn);
            ++line;
        }
    }
    return r;
}

void check_big_report(const BigReport& report, const std::string& line_ending) {
    REQUIRE(report.text.size() > 3 * 512 * 1024);  // not read whole (up to 1 MiB) but in windows of 128 KiB
    BotHarness bot("parser_csv", R"({"columns": ["source.ip", "event_description.text", "source.fqdn"],
                                     "skip_header": true, "type": "scanner"})");
    // A small report before the big one, and one after: each is read on its own.
    const HarnessResult r = bot.process({::report("h\n192.0.2.8,first,first.example\n"), ::report(report.text),
                                         ::report("h\r\n192.0.2.9,last,last.example")});
    REQUIRE(r.on("_default").size() == report.fqdns.size() + 2);
    CHECK(field(r.on("_default").front(), "source.fqdn") == "first.example");
    CHECK(decoded_raw(r.on("_default").back()) == "h\r\n192.0.2.9,last,last.example\r\n");
    const std::vector<std::string> sent(r.on("_default").begin() + 1, r.on("_default").end() - 1);
    bool in_order = true;
    for (size_t i = 0; i < sent.size() && in_order; ++i) {
        in_order = field(sent[i], "source.fqdn") == report.fqdns[i];
        if (!in_order) FAIL_CHECK("event " << i << ": " << sent[i]);
    }
    CHECK(in_order);
    const std::string last = report.fqdns.back().substr(5, report.fqdns.back().size() - 13);  // its row number
    CHECK(decoded_raw(sent.back()) ==
          "ip,description,fqdn" + line_ending + "192.0.2.3," + last + "," + report.fqdns.back() + line_ending);
    REQUIRE(r.failed.size() == report.bad_lines.size());
    for (size_t i = 0; i < r.failed.size(); ++i) {
        INFO("failure " << i << ": " << r.failed[i].reason);
        CHECK(r.failed[i].reason.rfind("line " + std::to_string(report.bad_lines[i]) + ":", 0) == 0);
    }
}

}  // namespace

TEST_CASE("parser_csv reads a report many windows long as it reads a short one") {
    SUBCASE("\\n line endings") { check_big_report(big_report("\n", 50000), "\n"); }
    SUBCASE("\\r\\n line endings") { check_big_report(big_report("\r\n", 50000), "\r\n"); }
    SUBCASE("\\r line endings: one line to IntelMQ's removal of comments and blanks") {
        check_big_report(big_report("\r", 50000), "\r");
    }
    SUBCASE("one \\r\\n line near the end makes the endings mixed") {
        check_big_report(big_report("\n", 50000, "192.0.2.4,late,late.example\r\n"), "\r\n");
    }
    SUBCASE("a \\r\\n in a comment near the end does not count: comments are gone before") {
        check_big_report(big_report("\n", 50000, "# late comment\r\n"), "\n");
    }
}
