// SPDX-License-Identifier: AGPL-3.0-or-later
#include "scenarios.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "child.hpp"
#include "sluice/brokers/file_queue.hpp"
#include "sluice/core/stats.hpp"

namespace sluice::bench {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

bool Env::plugin_built(const std::string& plugin) const { return fs::exists(plugin_dir / (plugin + ".so")); }

namespace {

constexpr const char* kBot = "bench";  // the bot under test in a single-stage configuration
constexpr const char* kSink = "sink";  // its downstream: a queue nobody reads

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void sleep_s(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

std::chrono::milliseconds ms_of(double s) { return std::chrono::milliseconds(static_cast<int64_t>(s * 1000)); }

void progress(const std::string& text) { std::cerr << "sluice-bench: " << text << std::endl; }

std::string toml_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

void write_file(const fs::path& file, std::string_view text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) throw std::runtime_error("cannot write " + file.string());
}

void fresh_dir(const fs::path& dir) {
    fs::remove_all(dir);
    fs::create_directories(dir);
}

void cleanup(const Env& env, const fs::path& dir) {
    std::error_code ec;
    if (!env.keep) fs::remove_all(dir, ec);
}

std::string config_header(const Env& env, const std::string& transport = "file") {
    std::string conf = "# written by sluice-bench\n[paths]\nvar = \"var\"\nharmonization = " +
                       toml_string(env.harmonization.string()) + "\nplugins = [" +
                       toml_string(env.plugin_dir.string()) + "]\n\n[defaults]\ntransport = " + toml_string(transport) +
                       "\nbatch_size = " + std::to_string(env.batch_size) + "\n\n";
    if (transport == "amqp") conf += "[transports.amqp]\nurl = " + toml_string(env.amqp_url) + "\n\n";
    return conf;
}

std::string parameters_for(const Env& env, const std::string& plugin, const std::string& output_file) {
    if (plugin == "parser_csv") return std::string("{ columns = ") + std::string(feed_columns_toml) + " }";
    if (plugin == "output_file") return "{ file = " + toml_string(output_file) + " }";
    if (plugin == "expert_sieve") return "{ file = " + toml_string((env.data_dir / "ten_rules.sieve").string()) + " }";
    // expert_deduplicator with its defaults: IntelMQ's filter (time.observation and raw left out), a
    // TTL of a day, its cache file under the host's working folder (the run's scratch folder).
    return "{}";
}

std::string bot_table(const std::string& id, const std::string& plugin, const std::string& parameters,
                      const std::string& to, const std::string& extra = {}) {
    std::string t = "[bots." + id + "]\nplugin = " + toml_string(plugin) + "\n" + extra;
    t += "parameters = " + parameters + "\n";
    if (!to.empty()) t += "to = [" + toml_string(to) + "]\n";
    return t + "\n";
}

// Counts the lines of a growing file, reading only what was appended since the last call.
class LineCounter {
 public:
    explicit LineCounter(fs::path file) : file_(std::move(file)) {}
    ~LineCounter() {
        if (fd_ >= 0) ::close(fd_);
    }
    LineCounter(const LineCounter&) = delete;
    LineCounter& operator=(const LineCounter&) = delete;
    uint64_t update() {
        if (fd_ < 0) fd_ = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) return lines_;
        char buf[1 << 16];
        for (;;) {
            const ssize_t n = ::pread(fd_, buf, sizeof buf, offset_);
            if (n <= 0) break;
            offset_ += static_cast<off_t>(n);
            lines_ += static_cast<uint64_t>(std::count(buf, buf + n, '\n'));
        }
        return lines_;
    }
    uint64_t lines() const { return lines_; }

 private:
    fs::path file_;
    int fd_ = -1;
    off_t offset_ = 0;
    uint64_t lines_ = 0;
};

uint64_t count_lines(const fs::path& file) { return LineCounter(file).update(); }

std::string describe_input(const Env& env, const std::string& plugin, uint64_t lines_per_report) {
    if (plugin != "parser_csv") return std::to_string(env.events) + " events";
    const uint64_t per = std::max<uint64_t>(1, std::min(lines_per_report, env.events));
    const uint64_t reports = (env.events + per - 1) / per;
    return std::to_string(reports) + (reports == 1 ? " report" : " reports") + " of " + std::to_string(per) + " lines";
}

// The text of the largest report a parser gets (they are cut from the feed `per` lines at a time).
uint64_t largest_report_bytes(const Env& env, uint64_t lines_per_report) {
    const uint64_t per = std::max<uint64_t>(1, std::min(lines_per_report, env.events));
    uint64_t largest = 0;
    std::string text;
    for (uint64_t first = 0; first < env.events; first += per) {
        text.clear();
        env.feed->append_lines(first, std::min(per, env.events - first), text);
        largest = std::max<uint64_t>(largest, text.size());
    }
    return largest;
}

// The records to prefill a stage's input with: reports of the feed for a parser, events otherwise.
std::vector<std::string> make_stage_input(const Env& env, const std::string& plugin, uint64_t lines_per_report) {
    std::vector<std::string> records;
    if (plugin == "parser_csv") {
        const uint64_t per = std::max<uint64_t>(1, std::min(lines_per_report, env.events));
        std::string text;
        for (uint64_t first = 0; first < env.events; first += per) {
            text.clear();
            env.feed->append_lines(first, std::min(per, env.events - first), text);
            records.push_back(make_report_json(*env.harmonization_table, text));
        }
    } else {
        records.reserve(env.events);
        for (uint64_t i = 0; i < env.events; ++i)
            records.push_back(make_event_json(*env.harmonization_table, *env.feed, i));
    }
    return records;
}

double prefill(const fs::path& queue, const std::vector<std::string>& records) {
    const auto t0 = Clock::now();
    auto producer = open_file_producer(queue);
    std::vector<std::string_view> views;
    const StopToken never = [] { return false; };
    for (size_t i = 0; i < records.size(); i += 1000) {
        views.assign(records.begin() + static_cast<std::ptrdiff_t>(i),
                     records.begin() + static_cast<std::ptrdiff_t>(std::min(records.size(), i + 1000)));
        producer->append(views, never);
    }
    return since(t0);
}

// Polls the queue every 2 ms until it holds nothing unacknowledged. Only the directory and the
// cursor are read (file_queue_backlog_bytes): reading the records, as file_queue_stats does, would
// take the other core from the bot it measures and notice the end tens of milliseconds late.
struct DrainWait {
    bool drained = false;
    double seconds = 0;
    std::string problem;
};

DrainWait wait_drained(const Env& env, const fs::path& queue, Child& child, Clock::time_point t0) {
    DrainWait w;
    for (;;) {
        const uint64_t backlog = file_queue_backlog_bytes(queue);
        const double now = since(t0);
        if (backlog == 0) {
            w.drained = true;
            w.seconds = now;
            return w;
        }
        if (!child.running()) {
            w.problem = "the host ended (" + child.usage().how + ") with " +
                        std::to_string(file_queue_stats(queue).records) + " waiting";
            return w;
        }
        if (now > env.timeout_s) {
            w.problem = "timeout: " + std::to_string(file_queue_stats(queue).records) + " still waiting after " +
                        std::to_string(static_cast<int>(env.timeout_s)) + " s";
            return w;
        }
        sleep_s(0.002);
    }
}

void read_fsyncs(const fs::path& summary, uint64_t events, FsyncCount& out) {
    const auto counts = parse_strace_summary(summary);
    if (!counts) {
        out.status = "failed: no strace summary in " + summary.string();
        return;
    }
    out.status = "ok";
    out.fsync = counts->fsync;
    out.fdatasync = counts->fdatasync;
    out.per_event = events ? static_cast<double>(counts->total()) / static_cast<double>(events) : 0;
}

// Stops a host that runs under strace: the host gets SIGTERM, strace then writes its summary and exits.
void stop_traced(Child& strace) {
    const pid_t host = first_child_of(strace.pid());
    if (host > 0) ::kill(host, SIGTERM);
    strace.wait(std::chrono::seconds(30));
}

struct StageRun {
    std::string problem;  // empty: fine
    double prefill_s = 0, seconds = 0;
    Usage usage;
    long vm_hwm_kib = 0;  // the host's VmHWM when its input was drained
    uint64_t out = 0, failed = 0;
};

StageRun run_stage_once(const Env& env, const fs::path& dir, const std::string& plugin, uint64_t lines_per_report,
                        const fs::path& strace_summary) {
    StageRun run;
    fresh_dir(dir);
    const bool is_output = plugin == "output_file";
    const fs::path out_file = dir / "var" / "out.jsonl";
    std::string conf = config_header(env);
    conf += bot_table(kBot, plugin, parameters_for(env, plugin, out_file.string()), is_output ? "" : kSink);
    if (!is_output)
        conf += bot_table(kSink, "output_file", parameters_for(env, "output_file", (dir / "var/sink.jsonl").string()),
                          "", "enabled = false\n");
    const fs::path conf_file = dir / "sluice.toml";
    write_file(conf_file, conf);
    const fs::path queue = dir / "var" / "queues" / kBot;
    {
        const std::vector<std::string> input = make_stage_input(env, plugin, lines_per_report);
        run.prefill_s = prefill(queue, input);
    }
    // A forked child starts with the resident set of this process as its peak (ru_maxrss): give the
    // input's memory back first, so the host's figure is its own.
    ::malloc_trim(0);

    std::vector<std::string> argv;
    if (!strace_summary.empty())
        argv = strace_prefix(env.strace, strace_summary);
    else
        argv = env.wrap;
    argv.insert(argv.end(), {env.host.string(), "--config", conf_file.string(), kBot});
    const auto t0 = Clock::now();
    Child child(argv, dir / "host.log");
    const DrainWait w = wait_drained(env, queue, child, t0);
    if (const auto mem = read_proc_memory(strace_summary.empty() ? child.pid() : first_child_of(child.pid())))
        run.vm_hwm_kib = mem->vm_hwm_kib;
    run.seconds = w.seconds;
    run.problem = w.problem;
    if (!strace_summary.empty())
        stop_traced(child);
    else
        child.stop(SIGTERM);
    run.usage = child.usage();
    if (run.problem.empty() && !run.usage.exited_cleanly) run.problem = "the host stopped badly: " + run.usage.how;
    run.out = is_output ? count_lines(out_file) : file_queue_stats(dir / "var" / "queues" / kSink).records;
    BotStats stats;
    if (BotStats::read(dir / "var" / "run" / (std::string(kBot) + ".stats.json"), stats)) run.failed = stats.failed;
    return run;
}

double per_100k(double cpu_s, uint64_t events) { return events ? cpu_s * 100000.0 / static_cast<double>(events) : 0; }

}  // namespace

StageResult run_stage(const Env& env, const std::string& name, const std::string& plugin, uint64_t lines_per_report) {
    StageResult r;
    r.name = name;
    r.plugin = plugin;
    if (!env.plugin_built(plugin)) {
        r.status = "not built";
        r.fsyncs.status = "not built";
        return r;
    }
    r.input = describe_input(env, plugin, lines_per_report);
    r.events = env.events;
    if (plugin == "parser_csv") r.report_bytes = largest_report_bytes(env, lines_per_report);
    const fs::path dir =
        env.work / ("stage-" + plugin + (lines_per_report ? "-" + std::to_string(lines_per_report) : ""));
    progress(name + ": running on " + r.input);
    const StageRun run = run_stage_once(env, dir, plugin, lines_per_report, {});
    r.status = run.problem.empty() ? "ok" : "failed: " + run.problem;
    r.out = run.out;
    r.failed = run.failed;
    r.prefill_s = run.prefill_s;
    r.seconds = run.seconds;
    r.events_per_s = run.seconds > 0 ? static_cast<double>(r.events) / run.seconds : 0;
    r.user_s = run.usage.user_s;
    r.sys_s = run.usage.sys_s;
    r.cpu_s_per_100k = per_100k(r.user_s + r.sys_s, r.events);
    r.peak_rss_kib = run.vm_hwm_kib;
    r.ru_maxrss_kib = run.usage.maxrss_kib;
    if (!run.problem.empty()) progress(name + ": " + r.status + " (log: " + (dir / "host.log").string() + ")");
    if (run.problem.empty()) cleanup(env, dir);

    if (env.strace.empty()) {
        r.fsyncs.status = env.no_strace_reason;
    } else if (run.problem.empty()) {
        progress(name + ": counting fsyncs under strace");
        const fs::path traced = dir.string() + "-strace";
        const fs::path summary = env.work / (traced.filename().string() + ".txt");
        const StageRun t = run_stage_once(env, traced, plugin, lines_per_report, summary);
        if (t.problem.empty())
            read_fsyncs(summary, r.events, r.fsyncs);
        else
            r.fsyncs.status = "failed: " + t.problem;
        if (t.problem.empty()) cleanup(env, traced);
    }
    return r;
}

namespace {

std::vector<std::string> chain_plugins(const Env& env) {
    std::vector<std::string> p = {"collector_file", "parser_csv"};
    if (env.three_bot_chain) return {"collector_file", "parser_csv", "output_file"};
    if (env.plugin_built("expert_deduplicator")) p.push_back("expert_deduplicator");
    p.push_back("expert_taxonomy");
    p.push_back("output_file");
    return p;
}

// The chain's configuration: collector → parser → (deduplicator) → taxonomy → output.
std::string chain_config(const Env& env, const std::string& transport, const std::string& collector_params,
                         const std::string& collector_settings, const fs::path& out_file) {
    const auto plugins = chain_plugins(env);
    std::string conf = config_header(env, transport);
    for (size_t i = 0; i < plugins.size(); ++i) {
        const std::string& p = plugins[i];
        const std::string to = i + 1 < plugins.size() ? plugins[i + 1] : "";  // bot id = plugin name
        const std::string params = i == 0 ? collector_params : parameters_for(env, p, out_file.string());
        conf += bot_table(p, p, params, to, i == 0 ? collector_settings : "");
    }
    return conf;
}

std::string join_plugins(const std::vector<std::string>& plugins) {
    std::string s;
    for (const auto& p : plugins) s += (s.empty() ? "" : " -> ") + p;
    return s;
}

std::string collector_params(const fs::path& folder, bool delete_files) {
    return "{ path = " + toml_string(folder.string()) + ", postfix = \".csv\", name = \"Sluice bench feed\"" +
           ", provider = \"sluice-bench\"" + (delete_files ? ", delete_file = true" : "") + " }";
}

// The pid a host published in var/run/<bot>.stats.json, or -1.
pid_t published_pid(const fs::path& stats_file) {
    std::ifstream in(stats_file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = text.find("\"pid\":");
    return at == std::string::npos ? -1 : static_cast<pid_t>(std::strtol(text.c_str() + at + 6, nullptr, 10));
}

// A chain that writes no event for this long has stalled: rare (an amqp run in about fifteen
// once sat still for 30 s), so what every host was doing is written down when it happens.
constexpr double kStallSeconds = 5;

// Each chain host's published counters, its state and where its threads wait in the kernel.
void write_stall_report(const fs::path& file, const fs::path& dir, const std::vector<std::string>& plugins,
                        uint64_t lines, double at_s) {
    std::ofstream out(file);
    out << "no new event for " << kStallSeconds << " s at " << at_s << " s after the start, " << lines
        << " events written\n";
    for (const auto& p : plugins) {
        const fs::path stats = dir / "var" / "run" / (p + ".stats.json");
        std::ifstream in(stats);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        out << "\n== " << p << "\n" << text << "\n";
        const pid_t pid = published_pid(stats);
        if (pid <= 0) continue;
        std::error_code ec;
        for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
            std::ifstream comm(task.path() / "comm"), wchan(task.path() / "wchan"), stat(task.path() / "stat");
            std::string name, where, st;
            std::getline(comm, name);
            std::getline(wchan, where);
            std::getline(stat, st);
            const auto close = st.rfind(')');
            out << "thread " << task.path().filename().string() << " (" << name << ") state "
                << (close == std::string::npos ? "?" : st.substr(close + 2, 1)) << ", waits in "
                << (where.empty() || where == "0" ? "-" : where) << "\n";
        }
    }
}

struct ChainRun {
    std::map<std::string, long> bot_hwm_kib;  // VmHWM of each host still running after the last event
    std::map<std::string, double> bot_cpu_s;  // and its CPU seconds until then
    std::string problem;
    double seconds = 0, wall_s = 0;
    uint64_t out = 0;
    Usage usage;
    double longest_stall_s = 0;
    std::string stall_report;  // empty: no stall
};

ChainRun run_chain_once(const Env& env, const std::string& transport, const fs::path& dir, const fs::path& feed_dir,
                        const fs::path& strace_summary) {
    ChainRun run;
    fresh_dir(dir);
    const fs::path out_file = dir / "var" / "events.jsonl";
    const fs::path conf_file = dir / "sluice.toml";
    write_file(conf_file,
               chain_config(env, transport, collector_params(feed_dir, false), "run_mode = \"scheduled\"\n", out_file));
    std::vector<std::string> argv;
    if (!strace_summary.empty()) argv = strace_prefix(env.strace, strace_summary);
    argv.insert(argv.end(), {env.ctl.string(), "--config", conf_file.string(), "up", "--until-idle", "--timeout",
                             std::to_string(static_cast<int>(env.timeout_s))});
    ::malloc_trim(0);
    const auto t0 = Clock::now();
    Child ctl(argv, dir / "sluicectl.log");
    LineCounter lines(out_file);
    double last_change = 0;
    for (;;) {
        const uint64_t before = lines.lines();
        if (lines.update() != before) last_change = since(t0);
        if (lines.lines() >= env.events) break;
        const double still = since(t0) - last_change;
        if (still >= kStallSeconds && run.stall_report.empty()) {  // the first stall of the run is described
            run.stall_report = (dir / "stall.txt").string();
            write_stall_report(run.stall_report, dir, chain_plugins(env), lines.lines(), since(t0));
        }
        run.longest_stall_s = std::max(run.longest_stall_s, still >= kStallSeconds ? still : 0.0);
        if (!ctl.running()) {
            if (lines.update() != before) last_change = since(t0);
            break;
        }
        if (since(t0) > env.timeout_s + 30) {
            run.problem = "timeout";
            break;
        }
        sleep_s(0.005);
    }
    run.seconds = last_change;
    run.out = lines.lines();
    for (const auto& p : chain_plugins(env)) {
        const pid_t pid = published_pid(dir / "var" / "run" / (p + ".stats.json"));
        const auto mem = pid > 0 ? read_proc_memory(pid) : std::nullopt;
        run.bot_hwm_kib[p] = mem ? mem->vm_hwm_kib : 0;  // 0: it had exited (a scheduled collector)
        if (const auto cpu = pid > 0 ? read_proc_cpu_seconds(pid) : std::nullopt) run.bot_cpu_s[p] = *cpu;
    }
    ctl.wait(ms_of(env.timeout_s + 60));
    run.wall_s = since(t0);
    run.usage = ctl.usage();
    if (run.problem.empty() && !run.usage.exited_cleanly)
        run.problem = "sluicectl " + run.usage.how + " (see " + (dir / "sluicectl.log").string() + ")";
    if (run.problem.empty() && run.out < env.events)
        run.problem = "only " + std::to_string(run.out) + " of " + std::to_string(env.events) + " events written";
    return run;
}

void write_feed_folder(const Env& env, const fs::path& folder) {
    fresh_dir(folder);
    std::string text;
    for (uint64_t first = 0, n = 0; first < env.events; first += env.report_lines, ++n) {
        text.clear();
        env.feed->append_lines(first, std::min(env.report_lines, env.events - first), text);
        char name[32];
        std::snprintf(name, sizeof name, "feed-%06llu.csv", static_cast<unsigned long long>(n));
        write_file(folder / name, text);
    }
}

}  // namespace

ChainResult run_chain(const Env& env, const std::string& transport) {
    ChainResult r;
    r.transport = transport;
    if (transport == "amqp" && env.amqp_url.empty()) {
        r.status = "not run: no broker (--amqp-url, or install rabbitmq-server for a private one)";
        return r;
    }
    const auto plugins = chain_plugins(env);
    r.bots = join_plugins(plugins);
    for (const auto& p : plugins) {
        if (!env.plugin_built(p)) {
            r.status = "not built (" + p + ")";
            return r;
        }
    }
    r.events = env.events;
    const fs::path feed_dir = env.work / "chain-feed";
    progress("chain: writing " + std::to_string(env.events) + " lines in files of " + std::to_string(env.report_lines));
    write_feed_folder(env, feed_dir);
    progress("chain on " + transport + ": " + r.bots + " (sluicectl up --until-idle)");
    const fs::path dir = env.work / ("chain-" + transport);
    const ChainRun run = run_chain_once(env, transport, dir, feed_dir, {});
    r.status = run.problem.empty() ? "ok" : "failed: " + run.problem;
    r.out = run.out;
    r.seconds = run.seconds;
    r.events_per_s = run.seconds > 0 ? static_cast<double>(run.out) / run.seconds : 0;
    r.wall_s = run.wall_s;
    r.user_s = run.usage.user_s;
    r.sys_s = run.usage.sys_s;
    r.cpu_s_per_100k = per_100k(r.user_s + r.sys_s, run.out);
    r.peak_rss_kib = run.usage.maxrss_kib;
    r.bot_hwm_kib = run.bot_hwm_kib;
    r.bot_cpu_s = run.bot_cpu_s;
    r.longest_stall_s = run.longest_stall_s;
    r.stall_report = run.stall_report;
    if (!run.stall_report.empty()) progress("chain on " + transport + ": stalled; see " + run.stall_report);
    if (run.problem.empty() && run.stall_report.empty()) cleanup(env, dir);

    if (env.strace.empty()) {
        r.fsyncs.status = env.no_strace_reason;
    } else if (transport != "file") {
        r.fsyncs.status = "counted for the file transport only";
    } else if (run.problem.empty()) {
        progress("chain: counting fsyncs under strace");
        const fs::path summary = env.work / "chain-strace.txt";
        const ChainRun t = run_chain_once(env, transport, env.work / "chain-strace", feed_dir, summary);
        if (t.problem.empty())
            read_fsyncs(summary, t.out, r.fsyncs);
        else
            r.fsyncs.status = "failed: " + t.problem;
        if (t.problem.empty()) cleanup(env, env.work / "chain-strace");
    }
    cleanup(env, feed_dir);
    return r;
}

LatencyResult run_latency(const Env& env, const std::string& transport) {
    LatencyResult r;
    r.transport = transport;
    if (transport == "amqp" && env.amqp_url.empty()) {
        r.status = "not run: no broker";
        return r;
    }
    r.collector_poll_s = env.collector_poll_s;
    for (const auto& p : chain_plugins(env)) {
        if (!env.plugin_built(p)) {
            r.status = "not built (" + p + ")";
            return r;
        }
    }
    progress("latency: " + std::to_string(env.latency_samples) + " single events through the chain");
    const fs::path dir = env.work / ("latency-" + transport);
    fresh_dir(dir);
    const fs::path drop = dir / "drop";
    fs::create_directories(drop);
    const fs::path out_file = dir / "var" / "events.jsonl";
    const fs::path conf_file = dir / "sluice.toml";
    const std::string settings =
        "run_mode = \"continuous\"\nrate_limit = " + std::to_string(env.collector_poll_s) + "\n";
    write_file(conf_file, chain_config(env, transport, collector_params(drop, true), settings, out_file));
    Child ctl({env.ctl.string(), "--config", conf_file.string(), "up"}, dir / "sluicectl.log");
    LineCounter lines(out_file);

    // One event: a one-line file renamed into the folder (the collector never sees half a file).
    auto send = [&](uint64_t index, double limit_s) -> std::optional<double> {
        const fs::path tmp = drop / ".next.tmp";
        write_file(tmp, env.feed->line(index));
        const uint64_t before = lines.update();
        const auto t0 = Clock::now();
        fs::rename(tmp, drop / ("event-" + std::to_string(index) + ".csv"));
        while (since(t0) < limit_s) {
            if (lines.update() > before) return since(t0);
            if (!ctl.running()) return std::nullopt;
            std::this_thread::sleep_for(std::chrono::microseconds(500));
        }
        return std::nullopt;
    };
    const uint64_t base = env.events + 1000000;  // indices no other scenario uses
    if (!send(base, 60)) {
        r.status = "failed: the warm-up event did not arrive (see " + (dir / "sluicectl.log").string() + ")";
        ctl.stop(SIGTERM);
        return r;
    }
    std::vector<double> ms;
    for (int i = 0; i < env.latency_samples; ++i) {
        sleep_s(0.05);  // low load: one event at a time, with a pause between
        if (auto s = send(base + 1 + static_cast<uint64_t>(i), 10))
            ms.push_back(*s * 1000);
        else
            ++r.lost;
        if (!ctl.running()) break;
    }
    ctl.stop(SIGTERM);
    r.samples = static_cast<int>(ms.size());
    if (ms.empty()) {
        r.status = "failed: no event arrived";
        return r;
    }
    std::sort(ms.begin(), ms.end());
    auto pct = [&](double p) {
        const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(ms.size())));
        return ms[std::clamp<size_t>(rank, 1, ms.size()) - 1];
    };
    r.min_ms = ms.front();
    r.p50_ms = pct(0.50);
    r.p90_ms = pct(0.90);
    r.p99_ms = pct(0.99);
    r.max_ms = ms.back();
    double sum = 0;
    for (double x : ms) sum += x;
    r.mean_ms = sum / static_cast<double>(ms.size());
    r.status = r.lost ? "ok (" + std::to_string(r.lost) + " timed out)" : "ok";
    cleanup(env, dir);
    return r;
}

RestResult run_rest(const Env& env, const std::string& plugin) {
    RestResult r;
    r.plugin = plugin;
    if (!env.plugin_built(plugin)) {
        r.status = "not built";
        return r;
    }
    progress("memory at rest: " + plugin);
    const fs::path dir = env.work / ("rest-" + plugin);
    fresh_dir(dir);
    const bool is_output = plugin == "output_file";
    std::string conf = config_header(env);
    conf +=
        bot_table(kBot, plugin, parameters_for(env, plugin, (dir / "var/out.jsonl").string()), is_output ? "" : kSink);
    if (!is_output)
        conf += bot_table(kSink, "output_file", parameters_for(env, "output_file", (dir / "var/sink.jsonl").string()),
                          "", "enabled = false\n");
    write_file(dir / "sluice.toml", conf);
    Child host({env.host.string(), "--config", (dir / "sluice.toml").string(), kBot}, dir / "host.log");
    // Started once it published its counters (it does so on its first idle poll); then 1 s of rest.
    const fs::path stats = dir / "var" / "run" / (std::string(kBot) + ".stats.json");
    const auto t0 = Clock::now();
    while (!fs::exists(stats) && host.running() && since(t0) < 30) sleep_s(0.01);
    sleep_s(1.0);
    const auto mem = host.running() ? read_proc_memory(host.pid()) : std::nullopt;
    host.stop(SIGTERM);
    if (!mem) {
        r.status =
            "failed: the host did not stay up (" + host.usage().how + ", see " + (dir / "host.log").string() + ")";
        return r;
    }
    r.status = "ok";
    r.vm_rss_kib = mem->vm_rss_kib;
    r.vm_hwm_kib = mem->vm_hwm_kib;
    cleanup(env, dir);
    return r;
}

}  // namespace sluice::bench
