// SPDX-License-Identifier: AGPL-3.0-or-later
// sluice-host and sluicectl as an operator drives them with signals: SIGHUP reloads the
// configuration between batches (a bad one is refused and the bot keeps running), SIGTERM ends
// cleanly (also while it waits on a ZeroMQ input), a second instance of a bot is refused, and
// `sluicectl up` stops every host on SIGTERM.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "sluice/brokers/file_queue.hpp"
#include "sluice/core/stats.hpp"
#include "test_support.hpp"

using sluice::test::count_lines;
using sluice::test::eventually;
using sluice::test::read_file;
using sluice::test::TempDir;
using sluice::test::write_file;

namespace {

std::string config(const std::string& output_file) {
    return sluice::test::test_paths() + "[bots.out]\nplugin = \"output_file\"\nparameters = { file = \"" + output_file +
           "\" }\n";
}

void feed(const std::filesystem::path& queue, int from, int count) {
    auto producer = sluice::open_file_producer(queue);
    std::vector<std::string> records;
    for (int i = from; i < from + count; ++i)
        records.push_back(R"({"__type":"Event","source.ip":"192.0.2.)" + std::to_string(i) + R"("})");
    std::vector<std::string_view> views(records.begin(), records.end());
    REQUIRE(producer->append(views, [] { return false; }));
}

std::string host() { return (sluice::test::build_dir() / "bin" / "sluice-host").string(); }

}  // namespace

TEST_CASE("SIGHUP reloads the configuration, a bad one is refused, SIGTERM stops cleanly") {
    TempDir dir;
    write_file(dir / "sluice.toml", config("a.jsonl"));
    feed(dir / "var" / "queues" / "out", 1, 3);
    const int pid = sluice::test::spawn({host(), "--config", (dir / "sluice.toml").string(), "out"}, dir / "host.log");
    CHECK(eventually([&] { return count_lines(dir / "a.jsonl") == 3; }, 10));

    write_file(dir / "sluice.toml", config("b.jsonl"));
    ::kill(pid, SIGHUP);
    CHECK(eventually([&] { return read_file(dir / "host.log").find("configuration reloaded") != std::string::npos; },
                     10));
    feed(dir / "var" / "queues" / "out", 4, 2);
    CHECK(eventually([&] { return count_lines(dir / "b.jsonl") == 2; }, 10));

    write_file(dir / "sluice.toml", "[bots.out]\nplugin = \"output_file\"\nbatch_size = 0\n");
    ::kill(pid, SIGHUP);
    CHECK(eventually([&] { return read_file(dir / "host.log").find("reload refused") != std::string::npos; }, 10));
    feed(dir / "var" / "queues" / "out", 6, 1);  // still running, with the last good configuration
    CHECK(eventually([&] { return count_lines(dir / "b.jsonl") == 3; }, 10));

    ::kill(pid, SIGTERM);
    CHECK(sluice::test::wait_exit(pid, 10) == 0);
    CHECK(count_lines(dir / "a.jsonl") == 3);
    sluice::BotStats stats;
    REQUIRE(sluice::BotStats::read(dir / "var" / "run" / "out.stats.json", stats));
    CHECK(stats.state == "stopped");
    CHECK(stats.received == 6);
}

TEST_CASE("a second host for the same bot is refused while the first runs") {
    TempDir dir;
    write_file(dir / "sluice.toml", config("a.jsonl"));
    const int first =
        sluice::test::spawn({host(), "--config", (dir / "sluice.toml").string(), "out"}, dir / "first.log");
    REQUIRE(eventually([&] { return std::filesystem::exists(dir / "var" / "run" / "out.stats.json"); }, 10));
    auto second = sluice::test::run_command(host() + " --config " + (dir / "sluice.toml").string() + " out");
    CHECK(second.exit_code == 2);
    CHECK(second.output.find("bot 'out' is already running") != std::string::npos);
    ::kill(first, SIGTERM);
    CHECK(sluice::test::wait_exit(first, 10) == 0);
}

TEST_CASE("sluicectl up stops every host cleanly on SIGTERM") {
    TempDir dir;
    std::filesystem::copy(sluice::test::source_dir() / "conf", dir / "conf", std::filesystem::copy_options::recursive);
    const int up = sluice::test::spawn(
        {sluice::test::sluicectl(), "--config", (dir / "conf" / "sluice.toml").string(), "up"}, dir / "up.log");
    CHECK(eventually([&] { return count_lines(dir / "var" / "events.jsonl") == 17; }, 20));
    ::kill(up, SIGTERM);
    CHECK(sluice::test::wait_exit(up, 20) == 0);
    for (const char* bot : {"urlhaus-parser", "blocklist-parser", "taxonomy", "events-file"}) {
        sluice::BotStats stats;
        REQUIRE(sluice::BotStats::read(dir / "var" / "run" / (std::string(bot) + ".stats.json"), stats));
        CHECK_MESSAGE(stats.state == "stopped", bot);
    }
}

TEST_CASE("a host waiting on a ZeroMQ input stops cleanly on SIGTERM, not as a failure") {
    TempDir dir;
    // A signal interrupts zmq_poll (EINTR) whatever SA_RESTART says: that is a stop, not an error.
    write_file(dir / "sluice.toml", config("a.jsonl") +
                                        "[bots.src]\nplugin = \"collector_file\"\nparameters = { path = \"in\" }\n"
                                        "to = [{ bot = \"out\", transport = \"zmq\" }]\n");
    const int pid = sluice::test::spawn({host(), "--config", (dir / "sluice.toml").string(), "out"}, dir / "host.log");
    REQUIRE(eventually([&] { return std::filesystem::exists(dir / "var" / "run" / "out.zmq"); }, 10));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // in its wait for input
    ::kill(pid, SIGTERM);
    CHECK(sluice::test::wait_exit(pid, 10) == 0);
    const std::string log = read_file(dir / "host.log");
    INFO(log);
    CHECK(log.find("CRITICAL") == std::string::npos);
    CHECK(log.find("INFO stopped\n") != std::string::npos);
    sluice::BotStats stats;
    REQUIRE(sluice::BotStats::read(dir / "var" / "run" / "out.stats.json", stats));
    CHECK(stats.state == "stopped");
}
