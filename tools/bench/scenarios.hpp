// SPDX-License-Identifier: AGPL-3.0-or-later
//
// What sluice-bench measures: each stage alone on a prefilled file queue, the whole chain through
// sluicectl, the latency of one event through the chain, the memory of a host at rest, and fsync
// calls per event. Every scenario runs the real sluice-host / sluicectl binaries in a temporary
// folder with a configuration written for it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "feed.hpp"
#include "sluice/core/harmonization.hpp"

namespace sluice::bench {

struct Env {
    std::filesystem::path host;           // sluice-host
    std::filesystem::path ctl;            // sluicectl
    std::filesystem::path plugin_dir;     // the built plugins (<name>.so)
    std::filesystem::path harmonization;  // harmonization.toml
    std::filesystem::path data_dir;       // tools/bench/data (the sieve rules)
    std::filesystem::path work;           // scratch folder, one sub-folder per scenario
    std::filesystem::path strace;         // empty: not installed (or --no-strace)
    std::string no_strace_reason = "strace not installed";
    uint64_t events = 100000;
    uint64_t seed = 1;
    uint64_t report_lines = 1000;  // lines per report in the "many reports" parser run and the chain
    int latency_samples = 50;
    double collector_poll_s = 0.01;  // rate_limit of the continuous collector in the latency probe
    double timeout_s = 900;          // per run
    int64_t batch_size = 500;
    std::vector<std::string> wrap;  // a command the timed stage hosts run under (e.g. valgrind), or empty
    bool keep = false;              // leave the scenario folders behind for inspection
    std::string amqp_url;           // the broker of the amqp chain; empty: amqp is not run
    bool three_bot_chain = false;   // collector -> parser -> output instead of the five-bot chain
    const Harmonization* harmonization_table = nullptr;
    const Feed* feed = nullptr;

    bool plugin_built(const std::string& plugin) const;
};

struct FsyncCount {
    std::string status = "not measured";  // "ok", "strace not installed", "failed: ..."
    uint64_t fsync = 0;
    uint64_t fdatasync = 0;
    double per_event = 0;
};

struct StageResult {
    std::string name;      // e.g. "parser_csv (1000-line reports)"
    std::string plugin;    // e.g. "parser_csv"
    std::string input;     // what was prefilled, e.g. "100 reports x 1000 lines"
    std::string status;    // "ok", "not built", "timeout", "failed: ..."
    uint64_t events = 0;   // events the stage handled (lines for a parser)
    uint64_t out = 0;      // events it produced (sink queue records, lines written)
    uint64_t failed = 0;   // the host's failed counter
    double prefill_s = 0;  // appending the input with open_file_producer (one group commit per 1000)
    double seconds = 0;    // host start until its input queue is drained
    double events_per_s = 0;
    double user_s = 0;  // the host's whole life, from wait4
    double sys_s = 0;
    double cpu_s_per_100k = 0;
    long peak_rss_kib = 0;      // the host's VmHWM (/proc/<pid>/status) when its input was drained
    long ru_maxrss_kib = 0;     // ru_maxrss from wait4: the same peak, or the bench's own size at fork if larger
    uint64_t report_bytes = 0;  // a parser's largest report: its text, as raw holds it decoded
    FsyncCount fsyncs;
};

struct ChainResult {
    std::string transport = "file";
    std::string status = "not run";
    std::string bots;  // "collector_file -> parser_csv -> ..."
    uint64_t events = 0;
    uint64_t out = 0;    // lines in the output file
    double seconds = 0;  // sluicectl start until the last event is written
    double events_per_s = 0;
    double wall_s = 0;  // sluicectl start until it exited (idle detection included)
    double user_s = 0;  // sluicectl + every host it reaped
    double sys_s = 0;
    double cpu_s_per_100k = 0;
    std::map<std::string, long> bot_hwm_kib;  // VmHWM of each host after the last event; 0: it had exited
    std::map<std::string, double> bot_cpu_s;  // CPU seconds of each host until the last event; absent: it had exited
    long peak_rss_kib = 0;  // ru_maxrss of sluicectl's tree: its largest process (at least the bench's size at fork)
    FsyncCount fsyncs;
    // A pause of kStallSeconds or more with no new event: how long the longest was, and the file
    // describing every host when it began (the run's folder is then kept, logs included).
    double longest_stall_s = 0;
    std::string stall_report;
};

struct LatencyResult {
    std::string transport = "file";
    std::string status = "not run";
    double collector_poll_s = 0;
    int samples = 0;
    int lost = 0;
    double min_ms = 0, p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
};

struct RestResult {
    std::string plugin;
    std::string status;
    long vm_rss_kib = 0;
    long vm_hwm_kib = 0;
};

// One stage alone. A parser gets env.events lines in reports of `lines_per_report` lines (the last one
// shorter if needed); any other stage gets env.events events.
StageResult run_stage(const Env& env, const std::string& name, const std::string& plugin, uint64_t lines_per_report);
ChainResult run_chain(const Env& env, const std::string& transport);
LatencyResult run_latency(const Env& env, const std::string& transport);
RestResult run_rest(const Env& env, const std::string& plugin);

}  // namespace sluice::bench
