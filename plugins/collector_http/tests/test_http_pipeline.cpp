// SPDX-License-Identifier: AGPL-3.0-or-later
// The four HTTP bots as separate sluice-host processes in one pipeline, started the way operators
// start it (`sluicectl up --until-idle`): collector_http downloads a block list from a local HTTP
// server, parser_csv turns it into events, and output_restapi, output_elasticsearch and
// output_splunk_hec deliver every event back to the same server, which stands in for a REST
// endpoint, Elasticsearch's bulk API and Splunk's HEC (neither is packaged by Debian).
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <set>
#include <sstream>
#include <string>

#include "http_test_server.hpp"
#include "test_support.hpp"

using sluice::test::CannedResponse;
using sluice::test::HttpTestServer;
using sluice::test::RecordedRequest;
using sluice::test::TempDir;

namespace {

// The entries the block list holds, as the parser files them.
const std::set<std::string> kEntries = {"192.0.2.0/24", "198.51.100.7",     "198.51.100.64/26",
                                        "203.0.113.9",  "203.0.113.128/25", "192.0.2.250"};

std::string entry_of(const rapidjson::Value& event) {
    if (event.HasMember("source.ip")) return event["source.ip"].GetString();
    if (event.HasMember("source.network")) return event["source.network"].GetString();
    return "?";
}

CannedResponse answer(const RecordedRequest& req) {
    if (req.target == "/blocklist.netset")
        return CannedResponse::text(
            200, sluice::test::read_file(sluice::test::source_dir() / "conf" / "samples" / "blocklist.netset"));
    if (req.target == "/api/events") return CannedResponse::json(201, R"({"status":"created"})");
    if (req.target == "/services/collector/event") return CannedResponse::json(200, R"({"text":"Success","code":0})");
    if (req.target == "/_bulk") {
        size_t actions = 0;
        for (char c : req.body) actions += c == '\n';
        std::string items;
        for (size_t i = 0; i < actions / 2; ++i)
            items += std::string(i ? "," : "") + R"({"index":{"_index":"intelmq","_id":"x)" + std::to_string(i) +
                     R"(","status":201,"result":"created"}})";
        return CannedResponse::json(200, R"({"took":1,"errors":false,"items":[)" + items + "]}");
    }
    return CannedResponse::text(404, "not here");
}

}  // namespace

TEST_CASE("collector_http feeds a pipeline whose REST, Elasticsearch and Splunk outputs deliver every event") {
    HttpTestServer server(answer);
    TempDir dir("http-pipeline");
    const std::string port = std::to_string(server.port());
    sluice::test::write_file(
        dir / "sluice.toml",
        R"(
[paths]
var = "var"
harmonization = ")" +
            (sluice::test::source_dir() / "conf" / "harmonization.toml").string() +
            R"("

[defaults]
error_retry_delay = 0.1

[bots.feed]
plugin = "collector_http"
run_mode = "scheduled"
parameters = { http_url = ")" +
            server.url("/blocklist.netset") +
            R"(", name = "Demo block list", provider = "FireHOL" }
to = ["parser"]

[bots.parser]
plugin = "parser_csv"
parameters = { columns = ["source.ip|source.network"], type = "blacklist" }
to = ["rest", "elastic", "splunk"]

[bots.rest]
plugin = "output_restapi"
parameters = { host = ")" +
            server.url("/api/events") +
            R"(", batch = true, auth_type = "http_header", auth_token_name = "X-Token", auth_token = "t" }

[bots.elastic]
plugin = "output_elasticsearch"
parameters = { elastic_port = )" +
            port + R"(, rotate_index = "daily" }

[bots.splunk]
plugin = "output_splunk_hec"
parameters = { hec_url = ")" +
            server.url("/services/collector/event") +
            R"(", hec_token = "tok", sourcetype = "intelmq" }
)");
    const auto r = sluice::test::run_command(sluice::test::sluicectl() + " --config " + (dir / "sluice.toml").string() +
                                             " up --until-idle --timeout 120");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);

    std::multiset<std::string> rest, elastic, splunk;
    for (const RecordedRequest& req : server.requests()) {
        if (req.target == "/api/events") {
            CHECK(req.header("x-token") == "t");
            rapidjson::Document d;
            d.Parse(req.body.c_str());
            REQUIRE(d.IsArray());
            for (const auto& e : d.GetArray()) rest.insert(entry_of(e));
        } else if (req.target == "/_bulk") {
            std::istringstream lines(req.body);
            for (std::string action, doc; std::getline(lines, action) && std::getline(lines, doc);) {
                CHECK(action.find(R"("_index":"intelmq-)") != std::string::npos);  // rotated by date
                rapidjson::Document d;
                d.Parse(doc.c_str());
                REQUIRE(d.IsObject());
                elastic.insert(entry_of(d));
            }
        } else if (req.target == "/services/collector/event") {
            CHECK(req.header("authorization") == "Splunk tok");
            rapidjson::StringStream in(req.body.c_str());
            while (in.Peek() != '\0') {
                rapidjson::Document d;
                d.ParseStream<rapidjson::kParseStopWhenDoneFlag>(in);
                REQUIRE(!d.HasParseError());
                CHECK(d["sourcetype"] == "intelmq");
                splunk.insert(entry_of(d["event"]));
                while (in.Peek() == '\n') in.Take();
            }
        }
    }
    // Each output got every entry exactly once.
    CHECK(std::set<std::string>(rest.begin(), rest.end()) == kEntries);
    CHECK(rest.size() == kEntries.size());
    CHECK(std::set<std::string>(elastic.begin(), elastic.end()) == kEntries);
    CHECK(elastic.size() == kEntries.size());
    CHECK(std::set<std::string>(splunk.begin(), splunk.end()) == kEntries);
    CHECK(splunk.size() == kEntries.size());
}
