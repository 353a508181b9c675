// SPDX-License-Identifier: AGPL-3.0-or-later
// collector_http_push -> parser_csv -> output_file as separate sluice-host processes, started the
// way operators start them (`sluicectl up`): a CSV POSTed to the endpoint ends up as events in the
// output file, and the sender's 202 came only once its report was stored in the file queue.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <set>
#include <sstream>
#include <string>

#include "push_client.hpp"
#include "test_support.hpp"

using sluice::test::TempDir;

TEST_CASE("collector_http_push feeds a pipeline: a POSTed CSV becomes events in output_file's file") {
    TempDir dir("http-push-pipeline");
    const int port = sluice::test::free_port();
    const std::string token = "pipeline-test-token-0123456789";
    sluice::test::write_file(dir / "token", token + "\n");
    const auto events = dir / "events.jsonl";
    sluice::test::write_file(dir / "sluice.toml", R"(
[paths]
var = "var"
harmonization = ")" + (sluice::test::source_dir() / "conf" / "harmonization.toml").string() +
                                                      R"("

[bots.push]
plugin = "collector_http_push"
rate_limit = 0.05
parameters = { port = )" + std::to_string(port) + R"(, token_file = ")" +
                                                      (dir / "token").string() +
                                                      R"(", name = "Pushed scanners", wait = 0.2 }
to = ["parser"]

[bots.parser]
plugin = "parser_csv"
parameters = { columns = ["source.ip", "extra.comment"], type = "scanner" }
to = ["file"]

[bots.file]
plugin = "output_file"
parameters = { file = ")" + events.string() + R"(" }
)");
    const int pid = sluice::test::spawn({sluice::test::sluicectl(), "--config", (dir / "sluice.toml").string(), "up"},
                                        dir / "sluicectl.log");
    const bool up = sluice::test::eventually([&] { return sluice::test::listening(port); }, 30);
    INFO(sluice::test::read_file(dir / "sluicectl.log"));
    REQUIRE(up);

    {
        sluice::test::PushClient sender(port);
        sender.post("/submit", "192.0.2.1,first\n198.51.100.7,second\n203.0.113.9,third\n",
                    "Authorization: Bearer " + token + "\r\n");
        const auto answer = sender.answer(30);
        CHECK(answer.status == 202);
    }
    const bool written = sluice::test::eventually([&] { return sluice::test::count_lines(events) == 3; }, 30);
    ::kill(pid, SIGTERM);
    CHECK(sluice::test::wait_exit(pid, 30) >= 0);
    REQUIRE(written);

    std::set<std::string> ips;
    std::istringstream lines(sluice::test::read_file(events));
    for (std::string line; std::getline(lines, line);) {
        rapidjson::Document d;
        d.Parse(line.c_str());
        REQUIRE(d.IsObject());
        CHECK(d["feed.name"] == "Pushed scanners");
        CHECK(d["classification.type"] == "scanner");
        ips.insert(d["source.ip"].GetString());
    }
    CHECK(ips == std::set<std::string>{"192.0.2.1", "198.51.100.7", "203.0.113.9"});
}
