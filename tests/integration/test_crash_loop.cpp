// SPDX-License-Identifier: AGPL-3.0-or-later
// A message that makes the bot kill its host (SIGSEGV) is dumped after crash_max_deliveries
// deliveries instead of crash-looping the bot; the other messages of its batch go through, and the
// bot keeps running; fixed in the dump, `sluicectl dump replay` brings it back through. Real
// processes: sluicectl up supervising sluice-host with a crashing plugin.
#include <doctest/doctest.h>

#include <fstream>

#include "sluice/brokers/file_queue.hpp"
#include "test_support.hpp"

using sluice::test::TempDir;

namespace {

std::string event(int id, const char* fixture) {
    return R"({"__type":"Event","classification.type":"scanner","source.ip":"192.0.2.)" + std::to_string(id) +
           R"(","extra.id":")" + std::to_string(id) + R"(","extra.fixture":")" + fixture + R"("})";
}

}  // namespace

TEST_CASE("a message that segfaults the host is dumped after crash_max_deliveries and the bot goes on") {
    TempDir dir("sluice-crash-loop");
    sluice::test::write_file(dir / "sluice.toml", sluice::test::test_paths() + "plugins = [\"" +
                                                      (sluice::test::build_dir() / "tests" / "fixtures").string() +
                                                      "\"]\n" + R"(
[bots.fixture]
plugin = "expert_fixture"
batch_size = 50
crash_max_deliveries = 3
to = ["sink"]
[bots.sink]
plugin = "output_file"
parameters = { file = "var/events.jsonl" }
)");
    {
        // 20 events in one batch, the 8th of which crashes the bot.
        auto input = sluice::open_file_producer(dir / "var" / "queues" / "fixture");
        std::vector<std::string> events;
        for (int i = 1; i <= 20; ++i) events.push_back(event(i, i == 8 ? "segfault" : "pass"));
        std::vector<std::string_view> views(events.begin(), events.end());
        REQUIRE(input->append(views, {}));
    }
    const auto up = sluice::test::run_command(sluice::test::sluicectl() + " --config " +
                                              (dir / "sluice.toml").string() + " up --until-idle --timeout 120");
    INFO(up.output);
    REQUIRE(up.exit_code == 0);
    // Three deliveries, three crashes: the first inside the batch, two more message by message.
    size_t crashes = 0;
    for (size_t at = 0; (at = up.output.find("fixture: killed by signal 11", at)) != std::string::npos; ++at) ++crashes;
    CHECK(crashes == 3);

    const std::string out = sluice::test::read_file(dir / "var" / "events.jsonl");
    CHECK(sluice::test::count_lines(dir / "var" / "events.jsonl") == 19);
    CHECK(out.find("\"extra.id\":\"8\"") == std::string::npos);
    CHECK(out.find("\"extra.id\":\"20\"") != std::string::npos);

    const std::string dump = sluice::test::read_file(dir / "var" / "dump" / "fixture.jsonl");
    CHECK(sluice::test::count_lines(dir / "var" / "dump" / "fixture.jsonl") == 1);
    CHECK(dump.find("the host process crashed while processing this message, 3 times") != std::string::npos);
    CHECK(dump.find("\"extra.id\":\"8\"") != std::string::npos);  // the message itself, to replay
    const std::string log = sluice::test::read_file(dir / "var" / "log" / "fixture.log");
    CHECK(log.find("message by message") != std::string::npos);

    // The operator fixes the message in the dump and replays it: it goes through this time.
    std::string fixed = dump;
    const auto at = fixed.find("\"extra.fixture\":\"segfault\"");
    REQUIRE(at != std::string::npos);
    fixed.replace(at, std::string("\"extra.fixture\":\"segfault\"").size(), "\"extra.fixture\":\"pass\"");
    sluice::test::write_file(dir / "var" / "dump" / "fixture.jsonl", fixed);
    const std::string ctl = sluice::test::sluicectl() + " --config " + (dir / "sluice.toml").string();
    const auto replay = sluice::test::run_command(ctl + " dump replay fixture 1");
    INFO(replay.output);
    REQUIRE(replay.exit_code == 0);
    CHECK(sluice::test::count_lines(dir / "var" / "dump" / "fixture.jsonl") == 0);
    const auto again = sluice::test::run_command(ctl + " up --until-idle --timeout 60");
    INFO(again.output);
    REQUIRE(again.exit_code == 0);
    CHECK(again.output.find("killed by signal") == std::string::npos);
    CHECK(sluice::test::count_lines(dir / "var" / "events.jsonl") == 20);
    CHECK(sluice::test::read_file(dir / "var" / "events.jsonl").find("\"extra.id\":\"8\"") != std::string::npos);
}
