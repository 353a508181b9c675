// SPDX-License-Identifier: AGPL-3.0-or-later
// The chaos test (label chaos): 200,000 events through a pipeline whose edges are all three
// transports, collector -file-> parser -zmq-> first -amqp-> second -file-> sink, run by
// `sluicectl up`, while random hosts are killed with SIGKILL, random hosts are frozen with SIGSTOP
// and thawed, the RabbitMQ broker is stopped and started, and (as root, var/ being a 32 MiB tmpfs
// then) the disk is filled to below the file queues' reserve and emptied again. At the end every
// event must be in the sink's file (counted by its id), the duplicates are counted and reported,
// and no healthy record may be in a dump.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "event_feed.hpp"
#include "rabbitmq_server.hpp"
#include "test_support.hpp"

using namespace sluice::test;
using namespace std::chrono_literals;

namespace {

constexpr int kFiles = 200;
constexpr int kLinesPerFile = 1000;
constexpr int kEvents = kFiles * kLinesPerFile;
const std::vector<std::string> kBots = {"collector", "parser", "first", "second", "sink"};

long host_pid(const std::filesystem::path& var, const std::string& bot) {
    std::ifstream in(var / "run" / (bot + ".lock"));
    long pid = 0;
    in >> pid;
    return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0 ? pid : 0;
}

struct Chaos {
    int kills = 0, freezes = 0, broker_restarts = 0, disk_fills = 0;
};

}  // namespace

TEST_CASE("chaos: kills, freezes, a broker restart and a full disk across file, zmq and amqp lose no event") {
    RabbitMqServer rabbit;
    TempDir dir("sluice-chaos");
    const auto var = dir / "var";
    const bool small_disk = mount_small_disk(var, "32m");
    if (!small_disk) MESSAGE("var/ is not a small tmpfs (needs root): the disk-full part is left out");
    write_event_feed(dir / "feed", kFiles, kLinesPerFile);
    std::filesystem::create_directories(dir / "out");
    write_file(dir / "sluice.toml", sluice::test::test_paths() + "[transports.amqp]\nurl = \"" + rabbit.url() +
                                        "\"\nrecords_per_message = 1\n" + R"(
[defaults]
# Random SIGKILLs count against the message a host was on: a healthy one must never reach the limit.
crash_max_deliveries = 10
[bots.collector]
plugin = "collector_file"
run_mode = "scheduled"
parameters = { path = "feed", pattern = "*.csv", name = "chaos test" }
to = [{ bot = "parser", transport = "file" }]
[bots.parser]
plugin = "parser_csv"
batch_size = 1
parameters = { columns = ["extra.id", "time.source", "source.ip", "source.fqdn"], type = "scanner" }
to = [{ bot = "first", transport = "zmq" }]
[bots.first]
plugin = "expert_taxonomy"
to = [{ bot = "second", transport = "amqp" }]
[bots.second]
plugin = "expert_taxonomy"
to = [{ bot = "sink", transport = "file" }]
[bots.sink]
plugin = "output_file"
parameters = { file = "out/events.jsonl" }
)");

    std::atomic<bool> done{false};
    CommandResult up;
    std::thread runner([&] {
        up =
            run_command(sluicectl() + " --config " + (dir / "sluice.toml").string() + " up --until-idle --timeout 400");
        done = true;
    });

    Chaos chaos;
    std::mt19937 rng(20261208);
    std::map<std::string, int> killed;
    std::thread broker;
    const auto pause = [&](std::chrono::milliseconds d) {
        for (auto until = std::chrono::steady_clock::now() + d; !done && std::chrono::steady_clock::now() < until;)
            std::this_thread::sleep_for(10ms);
    };
    for (int step = 0; step < 200 && !done; ++step) {
        pause(std::chrono::milliseconds(100 + rng() % 300));
        if (step == 2) {
            // In the background: the amqp edge's two hosts lose the broker and must come back.
            broker = std::thread([&] {
                rabbit.stop();
                std::this_thread::sleep_for(2s);
                rabbit.start();
            });
            ++chaos.broker_restarts;
            continue;
        }
        if (step == 5 && small_disk) {
            // Fill the disk to half the reserve for three seconds: appends wait, then go on.
            struct statvfs st {};
            REQUIRE(::statvfs(var.c_str(), &st) == 0);
            const uint64_t free = uint64_t{st.f_bavail} * st.f_frsize;
            const uint64_t reserve = uint64_t{st.f_blocks} * st.f_frsize / 100 * 5;
            if (free > reserve / 2) write_ballast(var / "ballast", free - reserve / 2);
            pause(3s);
            std::filesystem::remove(var / "ballast");
            ++chaos.disk_fills;
            continue;
        }
        const std::string& bot = kBots[rng() % kBots.size()];
        const long pid = host_pid(var, bot);
        if (pid == 0) continue;
        // At most three kills per bot: the supervisor's back-off doubles with each quick restart.
        if (rng() % 2 == 0 && killed[bot] < 3) {
            if (::kill(static_cast<pid_t>(pid), SIGKILL) == 0) {
                ++killed[bot];
                ++chaos.kills;
            }
        } else if (::kill(static_cast<pid_t>(pid), SIGSTOP) == 0) {
            pause(std::chrono::milliseconds(300 + rng() % 700));
            ::kill(static_cast<pid_t>(pid), SIGCONT);
            ++chaos.freezes;
        }
    }
    if (broker.joinable()) broker.join();
    runner.join();

    INFO(up.output);
    REQUIRE(up.exit_code == 0);
    const OutputIds out = read_output_ids(dir / "out" / "events.jsonl");
    const std::set<int>& ids = out.ids;
    const size_t lines = out.lines;
    MESSAGE("kills: " << chaos.kills << ", freezes: " << chaos.freezes << ", broker restarts: " << chaos.broker_restarts
                      << ", disk fills: " << chaos.disk_fills << "; events written: " << lines
                      << ", unique: " << ids.size() << ", duplicates: " << lines - ids.size());
    CHECK(chaos.kills >= 3);  // the test means nothing if the chaos missed the run
    CHECK(chaos.freezes >= 3);
    CHECK(chaos.broker_restarts == 1);
    CHECK(ids.size() == kEvents);
    CHECK(*ids.begin() == 0);
    CHECK(*ids.rbegin() == kEvents - 1);
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(var / "dump", ec)) {
        INFO(entry.path());
        CHECK(std::filesystem::file_size(entry.path()) == 0);
    }
}
