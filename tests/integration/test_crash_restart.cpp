// SPDX-License-Identifier: AGPL-3.0-or-later
// kill -9 of a middle bot's host while the pipeline runs: `sluicectl up` restarts it and not one
// event is lost. Duplicates (a batch processed again after the crash) are allowed and reported.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "sluice/brokers/file_queue.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
using sluice::test::TempDir;

namespace {

constexpr int files = 10;
constexpr int lines_per_file = 10000;
constexpr int total = files * lines_per_file;

long pid_in(const std::filesystem::path& stats_file) {
    std::ifstream in(stats_file);
    std::string s((std::istreambuf_iterator<char>(in)), {});
    const auto at = s.find("\"pid\":");
    return at == std::string::npos ? 0 : std::stol(s.substr(at + 6));
}

bool alive(long pid) { return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0; }

}  // namespace

TEST_CASE("killing the middle bot with SIGKILL while the pipeline runs loses no event") {
    TempDir dir;
    for (int f = 0; f < files; ++f) {
        std::ofstream out(dir / "feed" / ("part" + std::to_string(f) + ".csv"));
        if (!out) {
            std::filesystem::create_directories(dir / "feed");
            out.open(dir / "feed" / ("part" + std::to_string(f) + ".csv"));
        }
        for (int i = 0; i < lines_per_file; ++i) {
            const int id = f * lines_per_file + i;
            out << id << ",2026-11-27 10:" << (id / 60) % 60 / 10 << (id / 60) % 10 << ":" << (id % 60) / 10 << id % 10
                << ",192.0." << (id >> 8) % 256 << "." << id % 256 << ",host" << id << ".example.com,http://host" << id
                << ".example.com/x\n";
        }
    }
    sluice::test::write_file(dir / "sluice.toml",
                             "[paths]\nvar = \"var\"\nharmonization = \"" +
                                 (sluice::test::source_dir() / "conf" / "harmonization.toml").string() + "\"\n" + R"(
[defaults]
batch_size = 200
[bots.collector]
plugin = "collector_file"
run_mode = "scheduled"
parameters = { path = "feed", pattern = "*.csv", name = "crash test" }
to = ["parser"]
[bots.parser]
plugin = "parser_csv"
batch_size = 1
parameters = { columns = ["extra.id", "time.source", "source.ip", "source.fqdn", "source.url"], type = "scanner" }
to = ["middle"]
[bots.middle]
plugin = "expert_taxonomy"
to = ["sink"]
[bots.sink]
plugin = "output_file"
parameters = { file = "var/events.jsonl" }
)");
    sluice::test::CommandResult up;
    std::thread runner([&] {
        up = sluice::test::run_command(sluice::test::sluicectl() + " --config " + (dir / "sluice.toml").string() +
                                       " up --until-idle --timeout 240");
    });
    // Kill the middle host three times while its input still holds unacknowledged messages: the
    // moment a lost batch would show. The restarted host's pid comes from its counters file.
    const auto stats = dir / "var" / "run" / "middle.stats.json";
    const auto middle_queue = dir / "var" / "queues" / "middle";
    int kills = 0;
    long last_killed = 0;
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (kills < 3 && std::chrono::steady_clock::now() < deadline) {
        const long pid = pid_in(stats);
        if (pid != last_killed && alive(pid) && sluice::file_queue_stats(middle_queue).records > 0) {
            std::this_thread::sleep_for(20ms);  // let it get into a batch
            if (::kill(static_cast<pid_t>(pid), SIGKILL) == 0) {
                ++kills;
                last_killed = pid;
            }
        }
        std::this_thread::sleep_for(2ms);
    }
    runner.join();
    INFO(up.output);
    REQUIRE(up.exit_code == 0);
    CHECK(kills == 3);  // the test means nothing if the kills missed the run
    CHECK(up.output.find("middle: killed by signal 9") != std::string::npos);

    std::ifstream events(dir / "var" / "events.jsonl");
    std::set<int> ids;
    size_t lines = 0;
    size_t without_id = 0;
    for (std::string line; std::getline(events, line); ++lines) {
        const auto at = line.find("\"extra.id\":\"");
        if (at == std::string::npos)
            ++without_id;
        else
            ids.insert(std::stoi(line.substr(at + 12)));
    }
    CHECK(without_id == 0);
    MESSAGE("kills: " << kills << ", events written: " << lines << ", unique: " << ids.size()
                      << ", duplicates: " << lines - ids.size());
    CHECK(ids.size() == static_cast<size_t>(total));
    CHECK(*ids.begin() == 0);
    CHECK(*ids.rbegin() == total - 1);
}
