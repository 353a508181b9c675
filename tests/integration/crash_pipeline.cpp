// SPDX-License-Identifier: AGPL-3.0-or-later
#include "crash_pipeline.hpp"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "sluice/core/stats.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace sluice::test {
namespace {

constexpr int kFiles = 10;

bool alive(long pid) { return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0; }

void write_feed(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    const int per_file = kCrashEvents / kFiles;
    for (int f = 0; f < kFiles; ++f) {
        std::ofstream out(dir / ("part" + std::to_string(f) + ".csv"));
        for (int i = 0; i < per_file; ++i) {
            const int id = f * per_file + i;
            out << id << ",2026-11-27 10:" << (id / 60) % 60 / 10 << (id / 60) % 10 << ":" << (id % 60) / 10 << id % 10
                << ",192.0." << (id >> 8) % 256 << "." << id % 256 << ",host" << id << ".example.com,http://host" << id
                << ".example.com/x\n";
        }
    }
}

// The pid and unacknowledged batch size the middle host last published.
std::pair<long, uint64_t> middle_state(const std::filesystem::path& stats_file) {
    BotStats s;
    std::ifstream in(stats_file);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    const auto at = text.find("\"pid\":");
    if (at == std::string::npos || !BotStats::read(stats_file, s)) return {0, 0};
    return {std::stol(text.substr(at + 6)), s.in_flight};
}

// The last `lines` lines of every log in `folder`, each under its file's name.
std::string log_tails(const std::filesystem::path& folder, size_t lines) {
    std::string out;
    std::error_code ec;
    for (const auto& f : std::filesystem::directory_iterator(folder, ec)) {
        if (f.path().extension() != ".log") continue;
        const std::string text = read_file(f.path());
        // Back from the end over `lines` line ends (the last one ends the text).
        size_t from = text.size(), ends = 0;
        while (from > 0 && !(text[from - 1] == '\n' && ends++ == lines)) --from;
        out += "== " + f.path().filename().string() + "\n" + text.substr(from);
    }
    return out;
}

}  // namespace

CrashResult run_crash_pipeline(const CrashRun& run) {
    TempDir dir("sluice-crash");
    write_feed(dir / "feed");
    write_file(dir / "sluice.toml", sluice::test::test_paths() + "[defaults]\nbatch_size = 200\ntransport = \"" +
                                        run.transport + "\"\n" + run.transports_table + R"(
[bots.collector]
plugin = "collector_file"
run_mode = "scheduled"
parameters = { path = "feed", pattern = "*.csv", name = "crash test" }
to = ["parser"]
[bots.parser]
plugin = "parser_csv"
batch_size = 1   # one report (10,000 lines) per batch, not all ten at once
parameters = { columns = ["extra.id", "time.source", "source.ip", "source.fqdn", "source.url"], type = "scanner" }
to = ["middle"]
[bots.middle]
plugin = "expert_taxonomy"
# Each SIGKILL during a batch counts as a delivery of the message the host was on, and the test
# kills the restarted host as soon as it holds records: without room for that, the message it
# kills the host on three times would be dumped. That is the watchdog's test, not this one.
crash_max_deliveries = 10
to = ["sink"]
[bots.sink]
plugin = "output_file"
parameters = { file = "var/events.jsonl" }
)");
    CommandResult up;
    std::thread runner([&] {
        up =
            run_command(sluicectl() + " --config " + (dir / "sluice.toml").string() + " up --until-idle --timeout 400");
    });
    // Kill the middle host while it holds a batch it has not acknowledged: the moment a lost batch
    // would show. The restarted host's pid comes from its counters file.
    CrashResult result;
    const auto stats = dir / "var" / "run" / "middle.stats.json";
    long last_killed = 0;
    const auto deadline = std::chrono::steady_clock::now() + 200s;
    while (result.kills < run.kills && std::chrono::steady_clock::now() < deadline) {
        const auto [pid, in_flight] = middle_state(stats);
        if (pid != last_killed && alive(pid) && in_flight > 0) {
            if (::kill(static_cast<pid_t>(pid), SIGKILL) == 0) {
                ++result.kills;
                last_killed = pid;
                if (result.kills == 1 && run.mid_run) run.mid_run();
            }
        }
        std::this_thread::sleep_for(2ms);
    }
    runner.join();
    result.exit_code = up.exit_code;
    result.output = up.output;
    result.host_logs = log_tails(dir / "var" / "log", 15);

    std::ifstream events(dir / "var" / "events.jsonl");
    std::set<int> ids;
    for (std::string line; std::getline(events, line); ++result.events) {
        const auto at = line.find("\"extra.id\":\"");
        if (at == std::string::npos)
            ++result.without_id;
        else
            ids.insert(std::stoi(line.substr(at + 12)));
    }
    result.unique = ids.size();
    result.duplicates = result.events - ids.size();
    if (!ids.empty()) {
        result.first_id = *ids.begin();
        result.last_id = *ids.rbegin();
    }
    return result;
}

}  // namespace sluice::test
