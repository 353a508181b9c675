// SPDX-License-Identifier: AGPL-3.0-or-later
// output_restapi through the real host code against a local HTTP server that records each request
// (plugins/shared/tests/http_test_server.hpp): what is posted, with which headers, and that a
// non-2xx answer fails the event with a retryable status naming the answer.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <sluice/bot.h>
#include <sluice/codec.hpp>
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

const std::string kEvent1 = R"({"__type":"Event","source.ip":"192.0.2.1","source.port":22,)"
                            R"("classification.type":"scanner","extra.tags":["a","b"],)"
                            R"("time.observation":"2015-01-01T00:00:00+00:00"})";
const std::string kEvent2 = R"({"__type":"Event","source.ip":"192.0.2.2","classification.type":"scanner",)"
                            R"("time.observation":"2015-01-01T00:00:00+00:00"})";

rapidjson::Document parse(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE_MESSAGE(!d.HasParseError(), json);
    return d;
}

std::string params(const std::string& url, const std::string& more = "") {
    return R"({"host": ")" + url + R"(", "http_retry_delay_sec": 0.01)" + (more.empty() ? "" : ", " + more) + "}";
}

CannedResponse created() { return CannedResponse::json(201, R"({"status":"created"})"); }

}  // namespace

TEST_CASE("output_restapi POSTs each event as JSON with the token header") {
    HttpTestServer server([](const RecordedRequest&) { return created(); });
    BotHarness bot("output_restapi", params(server.url("/api/events"), R"("auth_type": "http_header",)"
                                                                       R"( "auth_token_name": "X-Api-Token",)"
                                                                       R"( "auth_token": "t0ken")"));
    const HarnessResult r = bot.process({kEvent1, kEvent2});
    CHECK(r.failed.empty());
    CHECK(r.statuses == std::vector<uint32_t>{SLUICE_OK, SLUICE_OK});

    const auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].method == "POST");
    CHECK(requests[0].target == "/api/events");
    CHECK(requests[0].header("content-type") == "application/json; charset=utf-8");
    CHECK(requests[0].header("x-api-token") == "t0ken");
    const auto first = parse(requests[0].body);
    REQUIRE(first.IsObject());
    CHECK(first["source.ip"] == "192.0.2.1");
    CHECK(first["source.port"].GetInt() == 22);
    CHECK(first["extra.tags"].IsArray());
    CHECK_FALSE(first.HasMember("__type"));
    CHECK(parse(requests[1].body)["source.ip"] == "192.0.2.2");
}

TEST_CASE("output_restapi sends basic auth and nests fields with hierarchical_output") {
    HttpTestServer server([](const RecordedRequest&) { return CannedResponse::text(200, "ok"); });
    BotHarness bot("output_restapi", params(server.url("/in"), R"("auth_type": "http_basic_auth",)"
                                                               R"( "auth_token_name": "bob", "auth_token": "pw",)"
                                                               R"( "hierarchical_output": true)"));
    CHECK(bot.process({kEvent1}).failed.empty());
    const RecordedRequest req = server.requests().at(0);
    CHECK(req.header("authorization") == "Basic " + sluice::base64::encode("bob:pw"));
    const auto body = parse(req.body);
    REQUIRE(body.HasMember("source"));
    CHECK(body["source"]["ip"] == "192.0.2.1");
    CHECK(body["classification"]["type"] == "scanner");
}

TEST_CASE("output_restapi posts a host batch as one JSON array with batch") {
    HttpTestServer server([](const RecordedRequest&) { return CannedResponse::text(204, ""); });
    BotHarness bot("output_restapi", params(server.url("/bulk"), R"("batch": true)"));
    const HarnessResult r = bot.process({kEvent1, kEvent2});
    CHECK(r.failed.empty());
    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    const auto body = parse(requests[0].body);
    REQUIRE(body.IsArray());
    REQUIRE(body.Size() == 2);
    CHECK(body[0]["source.ip"] == "192.0.2.1");
    CHECK(body[1]["source.ip"] == "192.0.2.2");
    CHECK(bot.process({}).failed.empty());
    CHECK(server.request_count() == 1);  // an empty batch posts nothing
}

TEST_CASE("output_restapi fails an event with a retryable status naming the answer on a non-2xx") {
    SUBCASE("one by one: the event's status is retry, the reason has the status and the body") {
        HttpTestServer server([](const RecordedRequest& req) {
            if (req.index == 0) return CannedResponse::json(422, R"({"error":"source.ip is required here"})");
            return created();
        });
        BotHarness bot("output_restapi", params(server.url("/api/events")));
        const HarnessResult r = bot.process({kEvent1, kEvent2});
        CHECK(r.statuses == std::vector<uint32_t>{SLUICE_RETRY, SLUICE_OK});
        REQUIRE(r.failed.size() == 1);
        CHECK(r.failed[0].reason.find("HTTP 422") != std::string::npos);
        CHECK(r.failed[0].reason.find("source.ip is required here") != std::string::npos);
        CHECK(r.failed[0].reason.find(server.url("/api/events")) != std::string::npos);
    }
    SUBCASE("a 503 is retried by the client before it counts as a failure") {
        HttpTestServer server([](const RecordedRequest& req) {
            if (req.index < 2) return CannedResponse::text(503, "overloaded");
            return created();
        });
        BotHarness bot("output_restapi", params(server.url("/api/events")));
        CHECK(bot.process({kEvent1}).statuses == std::vector<uint32_t>{SLUICE_OK});
        CHECK(server.request_count() == 3);
    }
    SUBCASE("in batch mode the flush fails, so the host delivers the batch again") {
        HttpTestServer server([](const RecordedRequest&) { return CannedResponse::text(500, "database down"); });
        BotHarness bot("output_restapi", params(server.url("/bulk"), R"("batch": true)"));
        const HarnessResult r = bot.process({kEvent1, kEvent2});
        REQUIRE(r.failed.size() == 1);
        CHECK(r.failed[0].reason.find("flush: HTTP 500") != std::string::npos);
        CHECK(r.failed[0].reason.find("database down") != std::string::npos);
    }
    SUBCASE("a redirect is not followed: a POST turned into a GET must not count as delivered") {
        HttpTestServer server([&](const RecordedRequest& req) {
            if (req.target == "/api/events")
                return CannedResponse::text(301, "moved").with_header("Location", "/elsewhere");
            return CannedResponse::text(200, "a listing, not a delivery");
        });
        BotHarness bot("output_restapi", params(server.url("/api/events")));
        const HarnessResult r = bot.process({kEvent1});
        CHECK(r.statuses == std::vector<uint32_t>{SLUICE_RETRY});
        CHECK(server.request_count() == 1);  // nothing went to /elsewhere
    }
    SUBCASE("no server at all: a retryable error naming the URL") {
        BotHarness bot("output_restapi", params("http://127.0.0.1:9/none", R"("http_timeout_max_tries": 1)"));
        const HarnessResult r = bot.process({kEvent1});
        CHECK(r.statuses == std::vector<uint32_t>{SLUICE_RETRY});
        REQUIRE(r.failed.size() == 1);
        CHECK(r.failed[0].reason.find("http://127.0.0.1:9/none") != std::string::npos);
    }
}

TEST_CASE("output_restapi sends an HTML form with use_json false") {
    HttpTestServer server([](const RecordedRequest&) { return CannedResponse::text(200, "ok"); });
    BotHarness bot("output_restapi", params(server.url("/form"), R"("use_json": false)"));
    CHECK(bot.process({kEvent2}).failed.empty());
    const RecordedRequest req = server.requests().at(0);
    CHECK(req.header("content-type") == "application/x-www-form-urlencoded");
    CHECK(req.body.find("source.ip=192.0.2.2") != std::string::npos);
    CHECK(req.body.find("classification.type=scanner") != std::string::npos);
    CHECK(req.body.find("time.observation=2015-01-01T00%3A00%3A00%2B00%3A00") != std::string::npos);
}

TEST_CASE("output_restapi refuses bad parameters when the bot is created, naming them") {
    auto refused = [](const std::string& json, const std::string& expected) {
        try {
            BotHarness bot("output_restapi", json);
            FAIL("accepted: " << json);
        } catch (const std::exception& e) {
            CHECK_MESSAGE(std::string(e.what()).find(expected) != std::string::npos, e.what());
        }
    };
    refused(R"({"host": "example.org/api"})", "host");
    refused(R"({"host": "http://x/", "auth_type": "token"})", "auth_type");
    refused(R"({"host": "http://x/", "auth_type": "http_header", "auth_token": "t"})", "auth_token_name");
    refused(R"({"host": "http://x/", "auth_token_name": "X-Key", "auth_token": "t"})", "auth_type");
    refused(R"({"host": "http://x/", "auth_type": "http_header", "auth_token_name": "X Key", "auth_token": "t"})",
            "auth_token_name");
    refused(R"({"host": "http://x/", "batch": true, "use_json": false})", "batch");
    refused(R"({"host": "http://x/", "http_timeout_sec": [1]})", "http_timeout_sec");
}
