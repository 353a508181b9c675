// SPDX-License-Identifier: AGPL-3.0-or-later
// output_elasticsearch through the real host code. Elasticsearch is not packaged by Debian, so the
// server here is a small HTTP server inside the test (plugins/shared/tests/http_test_server.hpp)
// that checks each request is a well-formed bulk request (POST /_bulk, NDJSON: an action line and
// a document line per event) and answers as Elasticsearch's bulk API documents it: "errors" and
// one item per action with its status, and an "error" object {type, reason, caused_by} for the
// failed ones.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sluice/bot.h>
#include <sluice/codec.hpp>
#include <sluice/core/bot_harness.hpp>

#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "http_test_server.hpp"

using sluice::BotHarness;
using sluice::HarnessResult;
using sluice::test::CannedResponse;
using sluice::test::HttpTestServer;
using sluice::test::RecordedRequest;

namespace {

std::string event(const std::string& ip, const std::string& more = "") {
    return R"({"__type":"Event","source.ip":")" + ip + R"(","classification.type":"scanner",)" +
           R"("time.observation":"2024-03-01T08:00:00+00:00")" + (more.empty() ? "" : "," + more) + "}";
}

rapidjson::Document parse(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE_MESSAGE(!d.HasParseError(), json);
    return d;
}

struct BulkAction {
    std::string index;
    rapidjson::Document doc;
};

// Checks the request is a bulk request as Elasticsearch requires and splits it into its actions.
std::vector<BulkAction> bulk_actions(const RecordedRequest& req) {
    CHECK(req.method == "POST");
    CHECK(req.target == "/_bulk");
    CHECK(req.header("content-type") == "application/x-ndjson");
    REQUIRE_MESSAGE(!req.body.empty(), "empty bulk body");
    CHECK_MESSAGE(req.body.back() == '\n', "the bulk body must end with a newline");
    std::vector<std::string> lines;
    std::istringstream in(req.body);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    REQUIRE(lines.size() % 2 == 0);
    std::vector<BulkAction> out;
    for (size_t i = 0; i < lines.size(); i += 2) {
        const auto action = parse(lines[i]);
        REQUIRE(action.IsObject());
        REQUIRE(action.MemberCount() == 1);
        REQUIRE(action.HasMember("index"));
        REQUIRE(action["index"].HasMember("_index"));
        BulkAction a;
        a.index = action["index"]["_index"].GetString();
        a.doc.Parse(lines[i + 1].c_str());
        REQUIRE_MESSAGE(a.doc.IsObject(), lines[i + 1]);
        out.push_back(std::move(a));
    }
    return out;
}

// Elasticsearch's bulk answer; `item_status(i)` gives each item's status (201 or an error).
CannedResponse bulk_answer(const std::vector<BulkAction>& actions, const std::function<int(size_t)>& item_status) {
    std::string items;
    bool errors = false;
    for (size_t i = 0; i < actions.size(); ++i) {
        const int status = item_status(i);
        if (i) items += ",";
        items += R"({"index":{"_index":")" + actions[i].index + R"(","_id":"id)" + std::to_string(i) + R"(",)";
        if (status == 201) {
            items += R"("_version":1,"result":"created","_shards":{"total":2,"successful":1,"failed":0},)"
                     R"("_seq_no":)" +
                     std::to_string(i) + R"(,"_primary_term":1,"status":201}})";
        } else if (status == 429) {
            errors = true;
            items += R"("status":429,"error":{"type":"es_rejected_execution_exception",)"
                     R"("reason":"rejected execution of coordinating operation"}}})";
        } else {
            errors = true;
            items += R"("status":)" + std::to_string(status) +
                     R"(,"error":{"type":"mapper_parsing_exception","reason":"failed to parse field [source.port] of )"
                     R"(type [long] in document with id 'id)" +
                     std::to_string(i) +
                     R"('","caused_by":{"type":"illegal_argument_exception","reason":"For input string: \"ssh\""}}}})";
        }
    }
    return CannedResponse::json(
        200, R"({"took":3,"errors":)" + std::string(errors ? "true" : "false") + R"(,"items":[)" + items + "]}");
}

std::string params(const HttpTestServer& server, const std::string& more = "") {
    return R"({"elastic_host": "127.0.0.1", "elastic_port": )" + std::to_string(server.port()) +
           R"(, "http_retry_delay_sec": 0.01)" + (more.empty() ? "" : ", " + more) + "}";
}

std::string all_failures(const HarnessResult& r) {
    std::string out;
    for (const auto& f : r.failed) out += f.reason + "\n";
    return out;
}

}  // namespace

TEST_CASE("output_elasticsearch indexes a host batch with one bulk request of action and document lines") {
    HttpTestServer server(
        [](const RecordedRequest& req) { return bulk_answer(bulk_actions(req), [](size_t) { return 201; }); });
    BotHarness bot("output_elasticsearch",
                   params(server, R"("http_username": "elastic", "http_password": "changeme")"));
    const HarnessResult r = bot.process(
        {event("192.0.2.1", R"("source.port":22,"extra.tags":["a"])"), event("192.0.2.2"), event("192.0.2.3")});
    CHECK_MESSAGE(r.failed.empty(), all_failures(r));

    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].header("authorization") == "Basic " + sluice::base64::encode("elastic:changeme"));
    const auto actions = bulk_actions(requests[0]);
    REQUIRE(actions.size() == 3);
    CHECK(actions[0].index == "intelmq");
    CHECK(actions[0].doc["source.ip"] == "192.0.2.1");
    CHECK(actions[0].doc["source.port"].GetInt() == 22);
    CHECK(actions[0].doc["extra.tags"].IsArray());
    CHECK_FALSE(actions[0].doc.HasMember("__type"));
    CHECK(actions[2].doc["source.ip"] == "192.0.2.3");
    // Nothing is sent while there is nothing to flush.
    bot.process({});
    CHECK(server.request_count() == 1);
}

TEST_CASE("output_elasticsearch rotates the index by time.source, else time.observation") {
    HttpTestServer server(
        [](const RecordedRequest& req) { return bulk_answer(bulk_actions(req), [](size_t) { return 201; }); });
    const std::string with_source = event("192.0.2.1", R"("time.source":"2024-02-29T23:59:59+00:00")");
    const std::string without_source = event("192.0.2.2");  // time.observation 2024-03-01
    auto indices = [&](const std::string& rotate) {
        BotHarness bot("output_elasticsearch",
                       params(server, R"("elastic_index": "cert-events", "rotate_index": ")" + rotate + "\""));
        const size_t before = server.request_count();
        CHECK(bot.process({with_source, without_source}).failed.empty());
        const auto actions = bulk_actions(server.requests().at(before));
        REQUIRE(actions.size() == 2);
        return std::vector<std::string>{actions[0].index, actions[1].index};
    };
    CHECK(indices("daily") == std::vector<std::string>{"cert-events-2024-02-29", "cert-events-2024-03-01"});
    CHECK(indices("weekly") == std::vector<std::string>{"cert-events-2024-09", "cert-events-2024-09"});
    CHECK(indices("monthly") == std::vector<std::string>{"cert-events-2024-02", "cert-events-2024-03"});
    CHECK(indices("yearly") == std::vector<std::string>{"cert-events-2024", "cert-events-2024"});
    CHECK(indices("never") == std::vector<std::string>{"cert-events", "cert-events"});
}

TEST_CASE("output_elasticsearch nests, flattens or renames fields as configured") {
    HttpTestServer server(
        [](const RecordedRequest& req) { return bulk_answer(bulk_actions(req), [](size_t) { return 201; }); });
    const std::string e = event("192.0.2.1", R"("extra.payload":{"user":"root","tries":3})");
    SUBCASE("hierarchical_output nests dotted names") {
        BotHarness bot("output_elasticsearch", params(server, R"("hierarchical_output": true)"));
        CHECK(bot.process({e}).failed.empty());
        const auto actions = bulk_actions(server.requests().back());
        CHECK(actions[0].doc["source"]["ip"] == "192.0.2.1");
        CHECK_FALSE(actions[0].doc.HasMember("source.ip"));
    }
    SUBCASE("flatten_fields spreads an object value into <field>_<key>") {
        BotHarness bot("output_elasticsearch", params(server, R"("flatten_fields": "extra.payload")"));
        CHECK(bot.process({e}).failed.empty());
        const auto actions = bulk_actions(server.requests().back());
        CHECK(actions[0].doc["extra.payload_user"] == "root");
        CHECK(actions[0].doc["extra.payload_tries"].GetInt() == 3);
        CHECK_FALSE(actions[0].doc.HasMember("extra.payload"));
    }
    SUBCASE("replacement_char replaces the dots of every name") {
        BotHarness bot("output_elasticsearch", params(server, R"("replacement_char": "_")"));
        CHECK(bot.process({e}).failed.empty());
        const auto actions = bulk_actions(server.requests().back());
        CHECK(actions[0].doc["source_ip"] == "192.0.2.1");
        CHECK(actions[0].doc["classification_type"] == "scanner");
        CHECK(actions[0].doc["extra_payload"]["user"] == "root");
    }
}

TEST_CASE("output_elasticsearch gives up a bulk item Elasticsearch refuses, naming its position and error") {
    HttpTestServer server([](const RecordedRequest& req) {
        return bulk_answer(bulk_actions(req), [](size_t i) { return i == 1 ? 400 : 201; });
    });
    BotHarness bot("output_elasticsearch", params(server));
    const HarnessResult r = bot.process({event("192.0.2.1"), event("192.0.2.2"), event("192.0.2.3")});
    REQUIRE(r.failed.size() == 1);
    const std::string why = r.failed[0].reason;
    CHECK(why.find("bulk item 1 of 3") != std::string::npos);
    CHECK(why.find("index intelmq") != std::string::npos);
    CHECK(why.find("HTTP 400") != std::string::npos);
    CHECK(why.find("mapper_parsing_exception: failed to parse field [source.port]") != std::string::npos);
    CHECK(why.find("caused by illegal_argument_exception") != std::string::npos);
    CHECK(parse(r.failed[0].record)["source.ip"] == "192.0.2.2");  // the dump holds the event itself
    CHECK(server.request_count() == 1);  // not retried: the same document would fail the same way
}

TEST_CASE("output_elasticsearch sends again the items rejected with 429") {
    SUBCASE("rejected once: only those are sent again, and then all is indexed") {
        HttpTestServer server([](const RecordedRequest& req) {
            return bulk_answer(bulk_actions(req), [&](size_t i) { return req.index == 0 && i == 2 ? 429 : 201; });
        });
        BotHarness bot("output_elasticsearch", params(server));
        const HarnessResult r = bot.process({event("192.0.2.1"), event("192.0.2.2"), event("192.0.2.3")});
        CHECK_MESSAGE(r.failed.empty(), all_failures(r));
        const auto requests = server.requests();
        REQUIRE(requests.size() == 2);
        const auto again = bulk_actions(requests[1]);
        REQUIRE(again.size() == 1);
        CHECK(again[0].doc["source.ip"] == "192.0.2.3");
    }
    SUBCASE("rejected every time: the flush fails after http_timeout_max_tries, so the batch comes again") {
        HttpTestServer server([](const RecordedRequest& req) {
            return bulk_answer(bulk_actions(req), [](size_t i) { return i == 0 ? 429 : 201; });
        });
        BotHarness bot("output_elasticsearch", params(server, R"("http_timeout_max_tries": 2)"));
        const HarnessResult r = bot.process({event("192.0.2.1"), event("192.0.2.2")});
        REQUIRE(r.failed.size() == 1);
        CHECK(r.failed[0].reason.find("flush:") == 0);
        CHECK(r.failed[0].reason.find("still rejected with 429") != std::string::npos);
        CHECK(r.failed[0].reason.find("es_rejected_execution_exception") != std::string::npos);
        CHECK(server.request_count() == 2);
    }
    SUBCASE("a whole request answered 429 is sent again by the client") {
        HttpTestServer server([](const RecordedRequest& req) {
            if (req.index == 0)
                return CannedResponse::json(429, R"({"error":{"type":"es_rejected_execution_exception",)"
                                                 R"("reason":"rejected execution"},"status":429})");
            return bulk_answer(bulk_actions(req), [](size_t) { return 201; });
        });
        BotHarness bot("output_elasticsearch", params(server));
        CHECK(bot.process({event("192.0.2.1")}).failed.empty());
        CHECK(server.request_count() == 2);
    }
}

TEST_CASE("output_elasticsearch fails the flush on an error answer to the whole request, naming it") {
    HttpTestServer server([](const RecordedRequest&) {
        return CannedResponse::json(401, R"({"error":{"type":"security_exception","reason":"missing authentication )"
                                         R"(credentials for REST request [/_bulk]"},"status":401})");
    });
    BotHarness bot("output_elasticsearch", params(server));
    const HarnessResult r = bot.process({event("192.0.2.1")});
    REQUIRE(r.failed.size() == 1);
    CHECK(r.failed[0].reason.find("HTTP 401 (Unauthorized)") != std::string::npos);
    CHECK(r.failed[0].reason.find("security_exception") != std::string::npos);
    CHECK(server.request_count() == 1);
}

TEST_CASE("output_elasticsearch refuses bad parameters when the bot is created, naming them") {
    auto refused = [](const std::string& json, const std::string& expected) {
        try {
            BotHarness bot("output_elasticsearch", json);
            FAIL("accepted: " << json);
        } catch (const std::exception& e) {
            CHECK_MESSAGE(std::string(e.what()).find(expected) != std::string::npos, e.what());
        }
    };
    refused(R"({"rotate_index": "hourly"})", "rotate_index");
    refused(R"({"elastic_index": "IntelMQ"})", "elastic_index");
    refused(R"({"elastic_index": "a/b"})", "elastic_index");
    refused(R"({"elastic_port": 0})", "elastic_port");
    refused(R"({"elastic_host": "http://es:9200"})", "elastic_host");
    refused(R"({"hierarchical_output": true, "replacement_char": "_"})", "replacement_char");
}
