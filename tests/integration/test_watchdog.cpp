// SPDX-License-Identifier: AGPL-3.0-or-later
// Issue 14's sixth and seventh repros: a bot that hangs in process(), and one that allocates without
// bound. process_timeout and memory_max end the host; the message counts as a crash delivery and is
// dumped, with its reason, after crash_max_deliveries, while the rest of its batch goes through. A
// host stopped from outside with SIGKILL (what `sluicectl stop` does to a host that does not stop
// in time) counts the same way. `status` and `health` show a host that holds records and makes no
// progress as "stuck". Real processes: sluicectl and sluice-host with the fixture expert.
#include <doctest/doctest.h>

#include <fstream>
#include <thread>

#include "sluice/brokers/file_queue.hpp"
#include "test_support.hpp"

using namespace sluice::test;
using namespace std::chrono_literals;

namespace {

std::string event(int id, const std::string& fixture) {
    return R"({"__type":"Event","classification.type":"scanner","source.ip":"192.0.2.)" + std::to_string(id) +
           R"(","extra.id":")" + std::to_string(id) + R"(","extra.fixture":")" + fixture + R"("})";
}

// A fixture bot in front of a file output; `settings` go into [bots.fixture].
void write_config(const TempDir& dir, const std::string& settings) {
    write_file(dir / "sluice.toml", sluice::test::test_paths() + "plugins = [\"" +
                                        (build_dir() / "tests" / "fixtures").string() +
                                        "\"]\n[bots.fixture]\nplugin = \"expert_fixture\"\nbatch_size = 50\n" +
                                        settings + "\nto = [\"sink\"]\n" + R"(
[bots.sink]
plugin = "output_file"
parameters = { file = "var/events.jsonl" }
)");
}

// 20 events in one batch, the 8th of which is `bad`.
void feed(const TempDir& dir, const std::string& bad) {
    auto input = sluice::open_file_producer(dir / "var" / "queues" / "fixture");
    std::vector<std::string> events;
    for (int i = 1; i <= 20; ++i) events.push_back(event(i, i == 8 ? bad : "pass"));
    std::vector<std::string_view> views(events.begin(), events.end());
    REQUIRE(input->append(views, {}));
}

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = 0; (at = text.find(what, at)) != std::string::npos; at += what.size()) ++n;
    return n;
}

std::string ctl(const TempDir& dir, const std::string& args) {
    return sluicectl() + " --config " + (dir / "sluice.toml").string() + " " + args;
}

// The bad message dumped once, with `reason`, and the 19 others delivered.
void check_outcome(const TempDir& dir, const std::string& reason) {
    const std::string dump = read_file(dir / "var" / "dump" / "fixture.jsonl");
    CHECK(count(dump, "\"extra.id\":\"8\"") == 1);
    CHECK(count(dump, "\n") == 1);
    CHECK(dump.find(reason) != std::string::npos);
    CHECK(count_lines(dir / "var" / "events.jsonl") == 19);
    const std::string out = read_file(dir / "var" / "events.jsonl");
    CHECK(out.find("\"extra.id\":\"8\"") == std::string::npos);
    CHECK(out.find("\"extra.id\":\"20\"") != std::string::npos);
}

}  // namespace

TEST_CASE("a message that hangs in process() is ended by process_timeout and dumped as timed out") {
    TempDir dir("sluice-watchdog");
    write_config(dir, "process_timeout = 1\ncrash_max_deliveries = 2");
    feed(dir, "hang");
    const auto up = run_command(ctl(dir, "up --until-idle --timeout 60"));
    INFO(up.output);
    REQUIRE(up.exit_code == 0);
    // Two deliveries, two time-outs: the first inside the batch, the second message by message.
    CHECK(count(up.output, "fixture: timed out (a message ran past process_timeout)") == 2);
    check_outcome(dir, "timed out: processing this message took longer than process_timeout, 2 times");
    const std::string log = read_file(dir / "var" / "log" / "fixture.log");
    CHECK(log.find("the previous process timed out (process_timeout) while processing a batch") != std::string::npos);
}

TEST_CASE("a message that takes the host past memory_max is dumped as out of memory and the bot goes on") {
    TempDir dir("sluice-memory-max");
    write_config(dir, "memory_max = \"256M\"\ncrash_max_deliveries = 2");
    feed(dir, "bloat");
    const auto up = run_command(ctl(dir, "up --until-idle --timeout 60"));
    INFO(up.output);
    REQUIRE(up.exit_code == 0);
    CHECK(count(up.output, "fixture: out of memory (a message took it past memory_max)") == 2);
    check_outcome(dir, "out of memory: processing this message took the host past memory_max, 2 times");
    CHECK(read_file(dir / "var" / "log" / "fixture.stderr").find("reached memory_max (256 MiB)") != std::string::npos);
    // Under systemd the cgroup bounds it too.
    const auto units = run_command(ctl(dir, "systemd"));
    CHECK(units.output.find("# ---- sluice@fixture.service.d/memory.conf ----\n[Service]\nMemoryMax=268435456\n") !=
          std::string::npos);
    CHECK(units.output.find("sluice@sink.service.d/memory.conf") == std::string::npos);
}

TEST_CASE("a hung host is shown stuck, sluicectl stop kills it, and each SIGKILL counts as a delivery") {
    TempDir dir("sluice-stuck");
    // A time-out long enough not to fire before the test has stopped the host itself (about 11 s
    // in), and short enough for a quick "stuck": after half of it, 8 s.
    write_config(dir, "process_timeout = 16\ncrash_max_deliveries = 2");
    feed(dir, "hang");
    REQUIRE(run_command(ctl(dir, "start sink")).exit_code == 0);
    for (int delivery = 1; delivery <= 2; ++delivery) {
        CAPTURE(delivery);
        REQUIRE(run_command(ctl(dir, "start fixture")).exit_code == 0);
        if (delivery == 1) {
            // Running, holding the batch, its counters file no longer changing: stuck.
            const bool stuck = eventually(
                [&] { return run_command(ctl(dir, "status fixture")).output.find("fixture: stuck") == 0; }, 30);
            CHECK(stuck);
            const auto health = run_command(ctl(dir, "health"));
            CHECK(health.exit_code != 0);
            CHECK(health.output.find("stuck: fixture") != std::string::npos);
        } else {
            std::this_thread::sleep_for(1s);  // in the hanging message, message by message
        }
        const auto stop = run_command(ctl(dir, "stop fixture --timeout 2"));
        INFO(stop.output);
        CHECK(stop.exit_code == 0);
        CHECK(stop.output.find("did not stop within 2 s, killed with SIGKILL") != std::string::npos);
    }
    // The third start dumps the message it was killed on twice and goes on with the others.
    REQUIRE(run_command(ctl(dir, "start fixture")).exit_code == 0);
    CHECK(eventually([&] { return count_lines(dir / "var" / "events.jsonl") == 19; }, 30));
    run_command(ctl(dir, "stop"));
    check_outcome(dir,
                  "the host process died (killed, SIGKILL or the OOM killer) while processing this message, 2 times");
}
