// SPDX-License-Identifier: AGPL-3.0-or-later
// sluice-bench: throughput, CPU, memory, latency and fsyncs of Sluice's stages and of a whole chain,
// measured on the real binaries. A tool, not a test: it reports numbers and judges none of them.
//   build/bin/sluice-bench --events 100000 --json bench.json
#include <sys/utsname.h>
#include <unistd.h>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "child.hpp"
#include "feed.hpp"
#include "scenarios.hpp"
#include "sluice/core/config.hpp"
#include "sluice/core/defaults.hpp"

#ifndef SLUICE_BENCH_BUILD_TYPE
#define SLUICE_BENCH_BUILD_TYPE "unknown"
#endif
#ifndef SLUICE_BENCH_DATA_DIR
#define SLUICE_BENCH_DATA_DIR "tools/bench/data"
#endif

#ifdef SLUICE_BENCH_PRIVATE_RABBITMQ
#include "rabbitmq_server.hpp"
#endif

namespace fs = std::filesystem;
using namespace sluice::bench;

namespace {

int usage(std::ostream& os, int code) {
    os << "usage: sluice-bench [options]\n"
          "  --events N            events per scenario (default 100000)\n"
          "  --json FILE           also write the results as JSON\n"
          "  --seed S              seed of the synthetic feed (default 1)\n"
          "  --report-lines L      lines per report for the parser and the chain (default 1000)\n"
          "  --only LIST           comma-separated: stages, chain, latency, rest, or a stage's plugin\n"
          "                        name such as expert_taxonomy (default all)\n"
          "  --latency-samples K   single events timed through the chain (default 50)\n"
          "  --collector-poll S    rate_limit of the continuous collector in the latency probe (default 0.01)\n"
          "  --timeout S           give up on one run after S seconds (default 900)\n"
          "  --transports LIST     chain and latency on these transports (default file,zmq,amqp)\n"
          "  --three-bot-chain     chain collector -> parser -> output only (the transports' own cost)\n"
          "  --amqp-url URL        the broker for amqp (default: a private RabbitMQ node on loopback,\n"
          "                        started and stopped by the bench; needs rabbitmq-server)\n"
          "  --no-strace           do not count fsyncs (they are counted in a second, untimed run)\n"
          "  --wrap \"CMD ARGS\"     run the timed stage hosts under CMD (e.g. \"valgrind --tool=callgrind\")\n"
          "  --work DIR            scratch folder (default: a new one under $TMPDIR or /tmp)\n"
          "  --keep                leave the scratch folder behind\n"
          "  --host FILE, --ctl FILE, --plugins DIR, --harmonization FILE, --data DIR\n"
          "                        override what is found beside this binary\n";
    return code;
}

std::string read_first(const char* file, const std::string& prefix) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(prefix, 0) != 0) continue;
        const auto colon = line.find(':');
        std::string v = colon == std::string::npos ? line : line.substr(colon + 1);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(0, 1);
        return v;
    }
    return "unknown";
}

std::string slurp_line(const char* file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

struct Conditions {
    uint64_t events = 0;
    uint64_t seed = 0;
    std::string build_type = SLUICE_BENCH_BUILD_TYPE;
    std::string compiler = __VERSION__;
    std::string cpu;
    long nproc = 0;
    std::string kernel;
    std::string date;
    std::string load_before;
    std::string load_after;
    int64_t batch_size = 0;
    std::string host_binary;
    std::string strace;
    double line_bytes = 0;   // mean size of a feed line (first 1000 records)
    double event_bytes = 0;  // mean size of an event on the wire
};

struct Results {
    Conditions conditions;
    std::vector<StageResult> stages;
    std::vector<ChainResult> chains;       // one per transport
    std::vector<LatencyResult> latencies;  // one per transport
    std::vector<RestResult> rest;
};

// ---- the table ----------------------------------------------------------------------------------

std::string fmt(const char* format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

std::string mib(long kib) { return kib > 0 ? fmt("%.1f", static_cast<double>(kib) / 1024.0) : "-"; }

std::string fsync_cell(const FsyncCount& f) { return f.status == "ok" ? fmt("%.4f", f.per_event) : "-"; }

void print_table(const Results& r) {
    const auto& c = r.conditions;
    std::printf("\nsluice-bench — N = %llu events, %s build, %s, %ld CPUs, %s\n",
                static_cast<unsigned long long>(c.events), c.build_type.c_str(), c.cpu.c_str(), c.nproc,
                c.date.c_str());
    std::printf("feed lines of %.0f bytes, events of %.0f bytes; load average before: %s\n\n", c.line_bytes,
                c.event_bytes, c.load_before.c_str());
    if (!r.stages.empty()) {
        std::printf("%-36s %9s %9s %11s %11s %9s %10s  %s\n", "stage (alone, file queue)", "events", "seconds",
                    "events/s", "CPU s/100k", "peak MiB", "fsync/ev", "status");
        for (const auto& s : r.stages) {
            if (s.status == "not built") {
                std::printf("%-36s %9s %9s %11s %11s %9s %10s  %s\n", s.name.c_str(), "-", "-", "-", "-", "-", "-",
                            "not built");
                continue;
            }
            std::string status = s.status;
            if (s.failed) status += ", " + std::to_string(s.failed) + " failed";
            if (s.fsyncs.status != "ok") status += "; fsync: " + s.fsyncs.status;
            std::printf("%-36s %9llu %9.2f %11.0f %11.2f %9s %10s  %s\n", s.name.c_str(),
                        static_cast<unsigned long long>(s.events), s.seconds, s.events_per_s, s.cpu_s_per_100k,
                        mib(s.peak_rss_kib).c_str(), fsync_cell(s.fsyncs).c_str(), status.c_str());
        }
        std::printf("\n");
    }
    if (!r.chains.empty()) {
        std::printf("%-36s %9s %9s %11s %11s %9s %10s  %s\n", "chain (sluicectl up --until-idle)", "events", "seconds",
                    "events/s", "CPU s/100k", "peak MiB", "fsync/ev", "status");
        for (const auto& ch : r.chains) {
            std::string status = ch.status;
            if (ch.fsyncs.status != "ok" && ch.status == "ok") status += "; fsync: " + ch.fsyncs.status;
            std::printf("%-36s %9llu %9.2f %11.0f %11.2f %9s %10s  %s\n", ("transport " + ch.transport).c_str(),
                        static_cast<unsigned long long>(ch.out), ch.seconds, ch.events_per_s, ch.cpu_s_per_100k,
                        mib(ch.peak_rss_kib).c_str(), fsync_cell(ch.fsyncs).c_str(), status.c_str());
        }
        std::printf("  bots: %s; seconds = start until the last event is written\n", r.chains.front().bots.c_str());
        for (const auto& ch : r.chains) {
            std::string hwm;
            for (const auto& [bot, kib] : ch.bot_hwm_kib)
                hwm += (hwm.empty() ? "" : ", ") + bot + " " + (kib ? mib(kib) + " MiB" : std::string("(exited)"));
            if (!hwm.empty())
                std::printf("  %s: sluicectl exited after %.2f s; VmHWM of each host after the last event: %s\n",
                            ch.transport.c_str(), ch.wall_s, hwm.c_str());
            std::string cpu;
            char cell[32];
            for (const auto& [bot, s] : ch.bot_cpu_s) {
                std::snprintf(cell, sizeof cell, " %.2f", s);
                cpu += (cpu.empty() ? "" : ",") + (" " + bot) + cell;
            }
            if (!cpu.empty())
                std::printf("  %s: CPU seconds of each host until the last event:%s\n", ch.transport.c_str(),
                            cpu.c_str());
            if (!ch.stall_report.empty())
                std::printf("  %s: STALLED - no new event for %.1f s; every host's state when it began: %s\n",
                            ch.transport.c_str(), ch.longest_stall_s, ch.stall_report.c_str());
        }
        std::printf("\n");
    }
    for (const auto& l : r.latencies) {
        std::printf("latency of one event through the chain (transport %s, collector polls every %g s): ",
                    l.transport.c_str(), l.collector_poll_s);
        if (l.samples)
            std::printf("p50 %.1f ms, p90 %.1f ms, p99 %.1f ms (min %.1f, max %.1f, %d samples)  %s\n", l.p50_ms,
                        l.p90_ms, l.p99_ms, l.min_ms, l.max_ms, l.samples, l.status.c_str());
        else
            std::printf("%s\n", l.status.c_str());
    }
    if (!r.latencies.empty()) std::printf("\n");
    if (!r.rest.empty()) {
        std::printf("%-36s %9s %9s  %s\n", "host at rest, one bot, after 1 s", "VmRSS MiB", "VmHWM MiB", "status");
        for (const auto& m : r.rest)
            std::printf("%-36s %9s %9s  %s\n", m.plugin.c_str(), mib(m.vm_rss_kib).c_str(), mib(m.vm_hwm_kib).c_str(),
                        m.status.c_str());
        for (const auto& s : r.stages)
            if (s.plugin == "parser_csv" && s.input.find(" report of ") != std::string::npos && s.status == "ok")
                std::printf("%-36s %9s %9s  (VmHWM when drained, %s of %.1f MiB: %.2f x its size)\n",
                            "parser_csv given one report", "", mib(s.peak_rss_kib).c_str(), s.input.c_str(),
                            static_cast<double>(s.report_bytes) / (1 << 20),
                            static_cast<double>(s.peak_rss_kib) * 1024 /
                                static_cast<double>(std::max<uint64_t>(1, s.report_bytes)));
        std::printf("\n");
    }
    std::fflush(stdout);
}

// ---- the JSON -----------------------------------------------------------------------------------

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void kv(Writer& w, const char* k, const std::string& v) {
    w.Key(k);
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}
void kv(Writer& w, const char* k, double v) {
    w.Key(k);
    w.Double(v);
}
void kv(Writer& w, const char* k, uint64_t v) {
    w.Key(k);
    w.Uint64(v);
}
void kv(Writer& w, const char* k, long v) {
    w.Key(k);
    w.Int64(v);
}
void kv(Writer& w, const char* k, int v) {
    w.Key(k);
    w.Int(v);
}

void write_fsyncs(Writer& w, const FsyncCount& f) {
    w.Key("fsyncs");
    w.StartObject();
    kv(w, "status", f.status);
    if (f.status == "ok") {
        kv(w, "fsync_calls", f.fsync);
        kv(w, "fdatasync_calls", f.fdatasync);
        kv(w, "per_event", f.per_event);
    }
    w.EndObject();
}

std::string to_json(const Results& r) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.SetMaxDecimalPlaces(6);
    w.StartObject();
    const auto& c = r.conditions;
    w.Key("conditions");
    w.StartObject();
    kv(w, "events", c.events);
    kv(w, "seed", c.seed);
    kv(w, "build_type", c.build_type);
    kv(w, "compiler", c.compiler);
    kv(w, "cpu_model", c.cpu);
    kv(w, "nproc", c.nproc);
    kv(w, "kernel", c.kernel);
    kv(w, "date", c.date);
    kv(w, "loadavg_before", c.load_before);
    kv(w, "loadavg_after", c.load_after);
    kv(w, "batch_size", static_cast<long>(c.batch_size));
    kv(w, "host_binary", c.host_binary);
    kv(w, "strace", c.strace);
    kv(w, "feed_line_bytes_mean", c.line_bytes);
    kv(w, "event_bytes_mean", c.event_bytes);
    w.EndObject();

    w.Key("stages");
    w.StartArray();
    for (const auto& s : r.stages) {
        w.StartObject();
        kv(w, "name", s.name);
        kv(w, "plugin", s.plugin);
        kv(w, "status", s.status);
        if (s.status != "not built") {
            kv(w, "input", s.input);
            kv(w, "transport", std::string("file"));
            kv(w, "events", s.events);
            kv(w, "events_out", s.out);
            kv(w, "failed", s.failed);
            kv(w, "prefill_seconds", s.prefill_s);
            kv(w, "seconds", s.seconds);
            kv(w, "events_per_second", s.events_per_s);
            kv(w, "cpu_user_seconds", s.user_s);
            kv(w, "cpu_system_seconds", s.sys_s);
            kv(w, "cpu_seconds_per_100k_events", s.cpu_s_per_100k);
            kv(w, "peak_rss_kib", s.peak_rss_kib);
            kv(w, "ru_maxrss_kib", s.ru_maxrss_kib);
            write_fsyncs(w, s.fsyncs);
        }
        w.EndObject();
    }
    w.EndArray();

    if (!r.chains.empty()) {
        w.Key("chain");
        w.StartArray();
        for (const auto& ch : r.chains) {
            w.StartObject();
            kv(w, "transport", ch.transport);
            kv(w, "status", ch.status);
            kv(w, "bots", ch.bots);
            kv(w, "events", ch.events);
            kv(w, "events_out", ch.out);
            kv(w, "seconds_to_last_event", ch.seconds);
            kv(w, "events_per_second", ch.events_per_s);
            kv(w, "sluicectl_wall_seconds", ch.wall_s);
            kv(w, "cpu_user_seconds", ch.user_s);
            kv(w, "cpu_system_seconds", ch.sys_s);
            kv(w, "cpu_seconds_per_100k_events", ch.cpu_s_per_100k);
            kv(w, "peak_rss_kib", ch.peak_rss_kib);
            w.Key("host_vm_hwm_kib");
            w.StartObject();
            for (const auto& [bot, kib] : ch.bot_hwm_kib) kv(w, bot.c_str(), kib);
            w.EndObject();
            w.Key("host_cpu_seconds");
            w.StartObject();
            for (const auto& [bot, s] : ch.bot_cpu_s) kv(w, bot.c_str(), s);
            w.EndObject();
            kv(w, "longest_stall_seconds", ch.longest_stall_s);
            kv(w, "stall_report", ch.stall_report);
            write_fsyncs(w, ch.fsyncs);
            for (const auto& l : r.latencies) {
                if (l.transport != ch.transport) continue;
                w.Key("latency");
                w.StartObject();
                kv(w, "status", l.status);
                kv(w, "collector_poll_seconds", l.collector_poll_s);
                kv(w, "samples", l.samples);
                kv(w, "timed_out", l.lost);
                kv(w, "min_ms", l.min_ms);
                kv(w, "p50_ms", l.p50_ms);
                kv(w, "p90_ms", l.p90_ms);
                kv(w, "p99_ms", l.p99_ms);
                kv(w, "max_ms", l.max_ms);
                kv(w, "mean_ms", l.mean_ms);
                w.EndObject();
            }
            w.EndObject();
        }
        w.EndArray();
    }

    w.Key("memory");
    w.StartObject();
    w.Key("host_at_rest");
    w.StartArray();
    for (const auto& m : r.rest) {
        w.StartObject();
        kv(w, "plugin", m.plugin);
        kv(w, "status", m.status);
        kv(w, "vm_rss_kib", m.vm_rss_kib);
        kv(w, "vm_hwm_kib", m.vm_hwm_kib);
        w.EndObject();
    }
    w.EndArray();
    for (const auto& s : r.stages) {
        if (s.plugin == "parser_csv" && s.input.find(" report of ") != std::string::npos && s.status == "ok") {
            w.Key("parser_one_report");
            w.StartObject();
            kv(w, "input", s.input);
            kv(w, "peak_rss_kib", s.peak_rss_kib);
            kv(w, "report_bytes", s.report_bytes);
            w.EndObject();
        }
    }
    w.EndObject();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

fs::path self_dir() {
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return fs::current_path();
    buf[n] = '\0';
    return fs::path(buf).parent_path();
}

bool wants(const std::string& only, const std::string& what) {
    if (only.empty()) return true;
    std::stringstream ss(only);
    for (std::string part; std::getline(ss, part, ',');)
        if (part == what) return true;
    return false;
}

std::vector<std::string> split_list(const std::string& list) {
    std::vector<std::string> out;
    std::stringstream ss(list);
    for (std::string part; std::getline(ss, part, ',');)
        if (!part.empty()) out.push_back(part);
    return out;
}

// The amqp runs need a broker. Without --amqp-url the bench starts a private RabbitMQ node on
// loopback (as the tests do) when the build has the test support and rabbitmq-server is installed.
#ifdef SLUICE_BENCH_PRIVATE_RABBITMQ
using PrivateBroker = sluice::test::RabbitMqServer;
std::unique_ptr<PrivateBroker> start_private_broker(Env& env) {
    try {
        std::fprintf(stderr, "sluice-bench: starting a private RabbitMQ node for the amqp runs\n");
        auto broker = std::make_unique<PrivateBroker>();
        env.amqp_url = broker->url();
        return broker;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sluice-bench: no RabbitMQ for the amqp runs: %s\n", e.what());
        return nullptr;
    }
}
#else
struct PrivateBroker {};
std::unique_ptr<PrivateBroker> start_private_broker(Env&) {
    std::fprintf(stderr, "sluice-bench: amqp runs need --amqp-url (this build has no private broker support)\n");
    return nullptr;
}
#endif

}  // namespace

int main(int argc, char** argv) {
    Env env;
    const fs::path bin = self_dir();
    env.host = bin / "sluice-host";
    env.ctl = bin / "sluicectl";
    env.plugin_dir = bin.parent_path() / "plugins";
    env.harmonization = sluice::default_harmonization_file();
    env.data_dir = SLUICE_BENCH_DATA_DIR;
    std::string json_file, only, work;
    std::vector<std::string> transports = {"file", "zmq", "amqp"};
    bool no_strace = false;
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string a = argv[i];
            auto value = [&]() -> std::string {
                if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
                return argv[++i];
            };
            if (a == "--events")
                env.events = std::stoull(value());
            else if (a == "--json")
                json_file = value();
            else if (a == "--seed")
                env.seed = std::stoull(value());
            else if (a == "--report-lines")
                env.report_lines = std::stoull(value());
            else if (a == "--only")
                only = value();
            else if (a == "--latency-samples")
                env.latency_samples = std::stoi(value());
            else if (a == "--collector-poll")
                env.collector_poll_s = std::stod(value());
            else if (a == "--timeout")
                env.timeout_s = std::stod(value());
            else if (a == "--transports")
                transports = split_list(value());
            else if (a == "--amqp-url")
                env.amqp_url = value();
            else if (a == "--three-bot-chain")
                env.three_bot_chain = true;
            else if (a == "--no-strace")
                no_strace = true;
            else if (a == "--work")
                work = value();
            else if (a == "--wrap") {
                std::istringstream words(value());
                for (std::string w; words >> w;) env.wrap.push_back(w);
            } else if (a == "--keep")
                env.keep = true;
            else if (a == "--host")
                env.host = value();
            else if (a == "--ctl")
                env.ctl = value();
            else if (a == "--plugins")
                env.plugin_dir = value();
            else if (a == "--harmonization")
                env.harmonization = value();
            else if (a == "--data")
                env.data_dir = value();
            else if (a == "--help" || a == "-h")
                return usage(std::cout, 0);
            else
                return usage(std::cerr, 2);
        }
    } catch (const std::exception& e) {
        std::cerr << "sluice-bench: " << e.what() << "\n";
        return usage(std::cerr, 2);
    }
    if (env.events == 0 || env.report_lines == 0) return usage(std::cerr, 2);
    for (const auto& [what, path] : {std::pair{"sluice-host", env.host}, std::pair{"sluicectl", env.ctl}}) {
        if (::access(path.c_str(), X_OK) != 0) {
            std::cerr << "sluice-bench: " << what << " not found at " << path.string() << " (build it, or pass --"
                      << (std::string(what) == "sluicectl" ? "ctl" : "host") << ")\n";
            return 1;
        }
    }

    Results results;
    auto& c = results.conditions;
    c.events = env.events;
    c.seed = env.seed;
    c.cpu = read_first("/proc/cpuinfo", "model name");
    c.nproc = ::sysconf(_SC_NPROCESSORS_ONLN);
    utsname u{};
    if (::uname(&u) == 0) c.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
    c.date = utc_now();
    c.load_before = slurp_line("/proc/loadavg");
    c.batch_size = env.batch_size;
    c.host_binary = env.host.string();
    if (!no_strace) env.strace = find_in_path("strace");
    if (no_strace) env.no_strace_reason = "disabled (--no-strace)";
    c.strace = no_strace ? "disabled (--no-strace)" : env.strace.empty() ? "strace not installed" : env.strace.string();
    if (!no_strace && env.strace.empty())
        std::cerr << "sluice-bench: strace not installed: fsyncs per event are not counted "
                     "(apt-get install strace)\n";

    fs::path work_dir;
    try {
        if (work.empty()) {
            const char* tmp = std::getenv("TMPDIR");
            std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/sluice-bench-XXXXXX";
            if (!::mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a folder under " + tmpl);
            work_dir = tmpl;
        } else {
            work_dir = fs::absolute(work);
            fs::create_directories(work_dir);
        }
        env.work = work_dir;
        const sluice::Harmonization h = sluice::Harmonization::load(env.harmonization);
        const Feed feed(env.seed);
        env.harmonization_table = &h;
        env.feed = &feed;
        for (uint64_t i = 0; i < 1000; ++i) {
            c.line_bytes += static_cast<double>(feed.line(i).size()) / 1000;
            c.event_bytes += static_cast<double>(make_event_json(h, feed, i).size()) / 1000;
        }

        const std::string per = std::to_string(env.report_lines);
        const struct {
            std::string name, plugin;
            uint64_t lines_per_report;
        } stages[] = {{"parser_csv (" + per + "-line reports)", "parser_csv", env.report_lines},
                      {"parser_csv (one report)", "parser_csv", env.events},
                      {"expert_deduplicator", "expert_deduplicator", 0},
                      {"expert_taxonomy", "expert_taxonomy", 0},
                      {"expert_sieve (10 rules)", "expert_sieve", 0},
                      {"output_file", "output_file", 0}};
        for (const auto& s : stages)
            if (wants(only, "stages") || wants(only, s.plugin))
                results.stages.push_back(run_stage(env, s.name, s.plugin, s.lines_per_report));
        std::unique_ptr<PrivateBroker> broker;
        if (std::find(transports.begin(), transports.end(), "amqp") != transports.end() && env.amqp_url.empty() &&
            (wants(only, "chain") || wants(only, "latency")))
            broker = start_private_broker(env);
        for (const auto& t : transports) {
            if (wants(only, "chain")) results.chains.push_back(run_chain(env, t));
            if (wants(only, "latency")) results.latencies.push_back(run_latency(env, t));
        }
        if (wants(only, "rest"))
            for (const char* p :
                 {"parser_csv", "expert_deduplicator", "expert_taxonomy", "expert_sieve", "output_file"})
                if (env.plugin_built(p)) results.rest.push_back(run_rest(env, p));
    } catch (const std::exception& e) {
        std::cerr << "sluice-bench: " << e.what() << "\n";
        return 1;
    }
    c.load_after = slurp_line("/proc/loadavg");
    print_table(results);
    if (!json_file.empty()) {
        std::ofstream out(json_file, std::ios::trunc);
        out << to_json(results);
        if (!out) {
            std::cerr << "sluice-bench: cannot write " << json_file << "\n";
            return 1;
        }
        std::printf("JSON: %s\n", fs::absolute(json_file).c_str());
    }
    // A scenario that failed or stalled leaves its folder (logs, configuration) behind; then the whole
    // scratch stays.
    bool failed = false;
    for (const auto& st : results.stages) failed |= st.status != "ok" && st.status != "not built";
    for (const auto& ch : results.chains) failed |= ch.status.rfind("failed", 0) == 0 || !ch.stall_report.empty();
    for (const auto& l : results.latencies) failed |= l.status.rfind("failed", 0) == 0;
    for (const auto& m : results.rest) failed |= m.status != "ok";
    std::error_code ec;
    if (failed)
        std::fprintf(stderr, "sluice-bench: something failed or stalled; its logs are in %s\n", work_dir.c_str());
    else if (!env.keep)
        fs::remove_all(work_dir, ec);
    return 0;
}
