// SPDX-License-Identifier: AGPL-3.0-or-later
// output_splunk_hec through the real host code. Splunk is not packaged by Debian, so the server here
// is a small HTTP server inside the test (plugins/shared/tests/http_test_server.hpp) that checks
// each request is what HEC takes (POST /services/collector/event, "Authorization: Splunk <token>",
// a body of concatenated JSON event objects) and answers as HEC documents it:
// {"text":"Success","code":0}, or an error {"text", "code"[, "invalid-event-number"]}.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sluice/bot.h>
#include <sluice/core/bot_harness.hpp>

#include <string>
#include <vector>

#include "http_test_server.hpp"

using sluice::BotHarness;
using sluice::HarnessResult;
using sluice::test::CannedResponse;
using sluice::test::HttpTestServer;
using sluice::test::RecordedRequest;

namespace {

const std::string kToken = "12345678-abcd-ef01-2345-6789abcdef01";

std::string event(const std::string& ip, const std::string& more = "") {
    return R"({"__type":"Event","source.ip":")" + ip + R"(","classification.type":"scanner",)" +
           R"("time.observation":"2024-03-01T09:00:00+00:00")" + (more.empty() ? "" : "," + more) + "}";
}

// The JSON objects of a HEC request body, checking the request on the way.
std::vector<rapidjson::Document> hec_events(const RecordedRequest& req) {
    CHECK(req.method == "POST");
    CHECK(req.target == "/services/collector/event");
    CHECK(req.header("authorization") == "Splunk " + kToken);
    std::vector<rapidjson::Document> out;
    size_t pos = 0;
    const std::string& body = req.body;
    while (pos < body.size()) {
        while (pos < body.size() && std::isspace(static_cast<unsigned char>(body[pos]))) ++pos;
        if (pos == body.size()) break;
        rapidjson::StringStream in(body.c_str() + pos);
        rapidjson::Document d;
        d.ParseStream<rapidjson::kParseStopWhenDoneFlag>(in);
        REQUIRE_MESSAGE(!d.HasParseError(), body.substr(pos));
        REQUIRE(d.IsObject());
        REQUIRE_MESSAGE(d.HasMember("event"), "HEC requires an event field");
        pos += in.Tell();
        out.push_back(std::move(d));
    }
    return out;
}

CannedResponse success() { return CannedResponse::json(200, R"({"text":"Success","code":0})"); }

std::string params(const HttpTestServer& server, const std::string& more = "") {
    return R"({"hec_url": ")" + server.url("/services/collector/event") + R"(", "hec_token": ")" + kToken +
           R"(", "http_retry_delay_sec": 0.01)" + (more.empty() ? "" : ", " + more) + "}";
}

}  // namespace

TEST_CASE("output_splunk_hec posts a batch of events in one request with the token and metadata") {
    HttpTestServer server([](const RecordedRequest&) { return success(); });
    BotHarness bot("output_splunk_hec", params(server, R"("index": "security", "sourcetype": "intelmq:event",)"
                                                       R"( "source": "sluice", "host": "collector-1")"));
    const HarnessResult r = bot.process({event("192.0.2.1", R"("time.source":"2024-03-01T08:00:00.5+00:00")"),
                                         event("192.0.2.2"), event("192.0.2.3", R"("source.port":22)")});
    CHECK(r.failed.empty());
    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    const auto events = hec_events(requests[0]);
    REQUIRE(events.size() == 3);
    CHECK(events[0]["time"].GetDouble() == doctest::Approx(1709280000.5));  // time.source wins
    CHECK(events[1]["time"].GetDouble() == doctest::Approx(1709283600));    // else time.observation
    CHECK(events[0]["index"] == "security");
    CHECK(events[0]["sourcetype"] == "intelmq:event");
    CHECK(events[0]["source"] == "sluice");
    CHECK(events[0]["host"] == "collector-1");
    CHECK(events[0]["event"]["source.ip"] == "192.0.2.1");
    CHECK_FALSE(events[0]["event"].HasMember("__type"));
    CHECK(events[2]["event"]["source.port"].GetInt() == 22);
}

TEST_CASE("output_splunk_hec leaves unset metadata to Splunk and nests fields with hierarchical_output") {
    HttpTestServer server([](const RecordedRequest&) { return success(); });
    BotHarness bot("output_splunk_hec", params(server, R"("hierarchical_output": true)"));
    CHECK(bot.process({event("192.0.2.1")}).failed.empty());
    const auto events = hec_events(server.requests().at(0));
    REQUIRE(events.size() == 1);
    CHECK_FALSE(events[0].HasMember("index"));
    CHECK_FALSE(events[0].HasMember("sourcetype"));
    CHECK_FALSE(events[0].HasMember("host"));
    CHECK(events[0]["event"]["source"]["ip"] == "192.0.2.1");
}

TEST_CASE("output_splunk_hec splits a batch by max_events_per_request") {
    HttpTestServer server([](const RecordedRequest&) { return success(); });
    BotHarness bot("output_splunk_hec", params(server, R"("max_events_per_request": 2)"));
    CHECK(bot.process(
                 {event("192.0.2.1"), event("192.0.2.2"), event("192.0.2.3"), event("192.0.2.4"), event("192.0.2.5")})
              .failed.empty());
    const auto requests = server.requests();
    REQUIRE(requests.size() == 3);
    CHECK(hec_events(requests[0]).size() == 2);
    CHECK(hec_events(requests[1]).size() == 2);
    const auto last = hec_events(requests[2]);
    REQUIRE(last.size() == 1);
    CHECK(last[0]["event"]["source.ip"] == "192.0.2.5");
}

TEST_CASE("output_splunk_hec gives up the event HEC names as invalid and sends the others again") {
    HttpTestServer server([](const RecordedRequest& req) {
        if (req.index == 0)
            return CannedResponse::json(400, R"({"text":"Incorrect index","code":7,"invalid-event-number":1})");
        return success();
    });
    BotHarness bot("output_splunk_hec", params(server, R"("index": "no-such-index")"));
    const HarnessResult r = bot.process({event("192.0.2.1"), event("192.0.2.2"), event("192.0.2.3")});
    REQUIRE(r.failed.size() == 1);
    CHECK(r.failed[0].reason.find("HEC refused event 1 of 3") != std::string::npos);
    CHECK(r.failed[0].reason.find("code 7: Incorrect index") != std::string::npos);
    CHECK(r.failed[0].record.find("192.0.2.2") != std::string::npos);
    const auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    const auto again = hec_events(requests[1]);
    REQUIRE(again.size() == 2);
    CHECK(again[0]["event"]["source.ip"] == "192.0.2.1");
    CHECK(again[1]["event"]["source.ip"] == "192.0.2.3");
}

TEST_CASE("output_splunk_hec fails the flush on a refused token, naming HEC's answer") {
    HttpTestServer server(
        [](const RecordedRequest&) { return CannedResponse::json(403, R"({"text":"Invalid token","code":4})"); });
    BotHarness bot("output_splunk_hec", params(server));
    const HarnessResult r = bot.process({event("192.0.2.1")});
    REQUIRE(r.failed.size() == 1);
    CHECK(r.failed[0].reason.find("flush: HTTP 403 (Forbidden)") == 0);
    CHECK(r.failed[0].reason.find("Invalid token") != std::string::npos);
    CHECK(server.request_count() == 1);
}

TEST_CASE("output_splunk_hec retries when HEC is busy") {
    HttpTestServer server([](const RecordedRequest& req) {
        if (req.index == 0) return CannedResponse::json(503, R"({"text":"Server is busy","code":9})");
        return success();
    });
    BotHarness bot("output_splunk_hec", params(server));
    CHECK(bot.process({event("192.0.2.1")}).failed.empty());
    CHECK(server.request_count() == 2);
}

TEST_CASE("output_splunk_hec refuses bad parameters when the bot is created, naming them") {
    auto refused = [](const std::string& json, const std::string& expected) {
        try {
            BotHarness bot("output_splunk_hec", json);
            FAIL("accepted: " << json);
        } catch (const std::exception& e) {
            CHECK_MESSAGE(std::string(e.what()).find(expected) != std::string::npos, e.what());
        }
    };
    refused(R"({"hec_url": "splunk:8088", "hec_token": "t"})", "hec_url");
    refused(R"({"hec_url": "https://splunk:8088/services/collector/event", "hec_token": "a b"})", "hec_token");
    refused(
        R"({"hec_url": "https://splunk:8088/services/collector/event", "hec_token": "t", "max_events_per_request": 0})",
        "max_events_per_request");
    refused(R"({"hec_url": "https://splunk:8088/services/collector/event"})", "hec_token");
}
