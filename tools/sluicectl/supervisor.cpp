// SPDX-License-Identifier: AGPL-3.0-or-later
#include "supervisor.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <thread>

#include "check.hpp"
#include "host_liveness.hpp"
#include "metrics_server.hpp"
#include "restart_counts.hpp"
#include "sluice/core/config.hpp"
#include "sluice/core/host_exit.hpp"
#include "sluice/core/plugin.hpp"
#include "sluice/core/stats.hpp"
#include "status_table.hpp"
#include "transport_factory.hpp"

namespace sluice::ctl {

std::string host_binary() {
    if (const char* env = std::getenv("SLUICE_HOST")) return env;
    char self[4096];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        return (std::filesystem::path(self).parent_path() / "sluice-host").string();
    }
    return "sluice-host";
}

HostCommand::HostCommand(const std::string& host_binary, const Config& cfg, const std::string& bot_id)
    : host(host_binary),
      config(cfg.file.string()),
      bot(bot_id),
      stderr_file((cfg.var_dir / "log" / (bot_id + ".stderr")).string()) {
    std::filesystem::create_directories(cfg.var_dir / "log");
}

void exec_host(const HostCommand& c) {
    // The host writes its log to var/log/<bot>.log itself (rotated); its stderr goes to
    // var/log/<bot>.stderr and keeps what only stderr can say: why it refused to start, a crash
    // message from the C library or a plugin. Between fork and exec only async-signal-safe calls.
    const int fd = ::open(c.stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        ::dup2(fd, STDERR_FILENO);
        ::dup2(fd, STDOUT_FILENO);
    }
    ::execl(c.host.c_str(), c.host.c_str(), "--config", c.config.c_str(), "--no-stderr-log", c.bot.c_str(),
            static_cast<char*>(nullptr));
    static const char why[] = "cannot run sluice-host\n";
    (void)!::write(STDERR_FILENO, why, sizeof why - 1);
    ::_exit(127);
}

std::string describe_exit(int status) {
    if (WIFSIGNALED(status))
        return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
               strsignal(WTERMSIG(status)) + ")";
    if (WEXITSTATUS(status) == kExitTimedOut) return "timed out (a message ran past process_timeout)";
    if (WEXITSTATUS(status) == kExitOutOfMemory) return "out of memory (a message took it past memory_max)";
    return "exit code " + std::to_string(WEXITSTATUS(status));
}

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStopGrace = std::chrono::seconds(15);  // for a host to finish its batch after SIGTERM

std::atomic<bool> g_stop{false};  // set by SIGINT/SIGTERM; read by the supervision loop
extern "C" void on_stop(int) { g_stop = true; }

struct Child {
    std::string id;
    uint32_t kind = 0;
    bool scheduled = false;
    pid_t pid = -1;
    bool done = false;     // exited cleanly and is not to be restarted
    bool refused = false;  // exit 2: will not start
    int restarts = 0;
    double backoff = 0.5;
    Clock::time_point started{};
    Clock::time_point restart_at{};
};

pid_t spawn(const std::string& host, const Config& cfg, const std::string& id) {
    const HostCommand command(host, cfg, id);
    const pid_t supervisor = ::getpid();
    const pid_t pid = ::fork();
    if (pid != 0) return pid;
    signal(SIGINT, SIG_IGN);  // Ctrl-C reaches the whole group: the supervisor decides how hosts stop
    // A host never outlives its supervisor: if `up` dies (kill -9, a crash), its hosts get SIGTERM,
    // finish their batch and stop, so that the next `up` finds no orphans running unsupervised.
    // The signal is tied to this (the main) thread, which lives as long as `up`; a supervisor that
    // died before the prctl is seen in getppid().
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != supervisor) ::_exit(0);
    exec_host(command);
}

std::string tail_of(const std::filesystem::path& file, size_t lines) {
    std::FILE* f = std::fopen(file.c_str(), "r");
    if (!f) return {};
    std::string all;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) all.append(buf, n);
    std::fclose(f);
    size_t pos = all.size();
    for (size_t i = 0; i <= lines && pos > 0; ++i) pos = all.rfind('\n', pos - 1);
    return pos == std::string::npos ? all : all.substr(pos + 1);
}

// The hosts of an `up` that died get SIGTERM from the kernel (spawn's PR_SET_PDEATHSIG) and stop
// after their batch. A new `up` started at once (a service manager's restart) waits for that, up to
// the time `up` gives its own hosts to stop, instead of having each refuse as already running.
void wait_for_earlier_hosts(const Config& cfg, const std::vector<Child>& children) {
    const auto deadline = Clock::now() + kStopGrace;
    for (const auto& c : children) {
        const long pid = host_pid(cfg, c.id);
        if (pid == 0) continue;
        std::cerr << c.id << ": a host is still running (pid " << pid << "), waiting for it to stop\n";
        while (host_pid(cfg, c.id) != 0 && Clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

}  // namespace

// Idle: every collector finished, no host holds a batch it has not acknowledged, and no queue on
// any transport holds a message. Nothing can be in flight then: a host acknowledges its input only
// after its output is durable (file, amqp) or acknowledged by the receiving host (zmq).
static bool is_idle(const Config& cfg, TransportFactory& transports, const std::vector<Child>& children) {
    for (const auto& c : children) {
        if (c.kind == SLUICE_KIND_COLLECTOR) {
            if (!c.done) return false;
            continue;
        }
        if (c.pid < 0) return false;  // restarting: its input may still hold work
        BotStats s;
        if (!BotStats::read(cfg.stats_file(c.id), s) || s.in_flight > 0) return false;
        try {
            for (const auto& transport : cfg.input_transports(c.id))
                if (transports.has_waiting(cfg, c.id, transport)) return false;
        } catch (const std::exception&) {
            return false;  // a broker that does not answer may still hold messages
        }
    }
    return true;
}

int run_up(const UpOptions& options) {
    Config cfg;
    std::map<std::string, CheckedBot> checked;
    const auto errors = check_config(options.config, cfg, checked);
    if (!errors.empty()) {
        for (const auto& e : errors) std::cerr << e << "\n";
        std::cerr << "sluicectl up: configuration refused, nothing started\n";
        return 1;
    }
    auto transports = make_transport_factory();
    const std::string host = host_binary();

    std::vector<Child> children;
    for (const auto& [id, b] : cfg.bots) {
        if (b.remote) continue;  // started by the other machine's sluicectl
        const bool wanted = options.only.empty()
                                ? b.enabled
                                : std::find(options.only.begin(), options.only.end(), id) != options.only.end();
        if (!wanted) continue;
        Child c;
        c.id = id;
        c.kind = checked[id].kind;
        c.scheduled = b.settings.run_mode == "scheduled";
        std::error_code ec;
        std::filesystem::remove(cfg.stats_file(id), ec);  // the counters shown are this run's
        children.push_back(c);
    }
    if (children.empty()) {
        std::cerr << "sluicectl up: no enabled bots in " << options.config << "\n";
        return 1;
    }

    // [metrics] listen: /metrics and /health for as long as the botnet runs (a taken port stops here).
    std::unique_ptr<MetricsServer> metrics;
    if (!cfg.metrics_listen.empty()) {
        metrics = std::make_unique<MetricsServer>(cfg, cfg.metrics_listen);
        std::cerr << "metrics: " << metrics->url() << "/metrics\n";
    }
    struct sigaction sa {};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);

    // Started against the flow (SLUICE_KIND_* are numbered along it): outputs, experts, parsers,
    // collectors. A receiver then has a head start to bind its ZeroMQ endpoint before its senders
    // connect, which saves them a reconnect interval.
    std::stable_sort(children.begin(), children.end(), [](const Child& a, const Child& b) { return a.kind > b.kind; });
    if (!options.until_idle)
        for (const auto& w : disabled_bots_waiting(cfg, *transports)) std::cerr << "warning: " << w << "\n";
    wait_for_earlier_hosts(cfg, children);
    std::map<std::string, int> restarts;  // this run's, for /metrics and the summary
    for (const auto& c : children) restarts[c.id] = 0;
    write_restart_counts(cfg, restarts);
    const auto t0 = Clock::now();
    for (auto& c : children) {
        c.pid = spawn(host, cfg, c.id);
        c.started = Clock::now();
    }
    StatusTable table(cfg, options.until_idle);
    int idle_checks = 0;
    int result = 0;
    bool failed = false;
    while (!g_stop) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        int status = 0;
        pid_t pid;
        while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
            auto it = std::find_if(children.begin(), children.end(), [&](const Child& c) { return c.pid == pid; });
            if (it == children.end()) continue;
            Child& c = *it;
            c.pid = -1;
            table.absorb(c.id);
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && (c.scheduled || c.kind == SLUICE_KIND_COLLECTOR)) {
                c.done = true;
                continue;
            }
            // 3: a message failed and the bot's error_procedure is "stop": it stays stopped, as in
            // IntelMQ, until an operator looked at it.
            if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
                c.refused = true;
                failed = true;
                std::cerr << c.id << ": stopped by its error_procedure (\"stop\") after a failed message; see "
                          << (cfg.var_dir / "log" / (c.id + ".log")).string() << "\n";
                continue;
            }
            // 2: the host refused its configuration; 127: sluice-host itself could not be run.
            if (WIFEXITED(status) && (WEXITSTATUS(status) == 2 || WEXITSTATUS(status) == 127)) {
                c.refused = true;
                failed = true;
                // sluice-host prints why it refused on stderr, whether or not its log file was open yet.
                std::cerr << c.id << ": refused to start; last lines of "
                          << (cfg.var_dir / "log" / (c.id + ".stderr")).string() << ":\n"
                          << tail_of(cfg.var_dir / "log" / (c.id + ".stderr"), 5);
                continue;
            }
            // A crash: restart with back-off that resets once the host has stayed up for a minute.
            if (Clock::now() - c.started > std::chrono::seconds(60)) c.backoff = 0.5;
            c.restart_at =
                Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(c.backoff));
            std::cerr << c.id << ": " << describe_exit(status) << ", restarting in " << c.backoff << " s\n";
            c.backoff = std::min(c.backoff * 2, 30.0);
        }
        for (auto& c : children) {
            if (c.pid < 0 && !c.done && !c.refused && Clock::now() >= c.restart_at) {
                c.pid = spawn(host, cfg, c.id);
                c.started = Clock::now();
                restarts[c.id] = ++c.restarts;
                write_restart_counts(cfg, restarts);
            }
        }
        table.refresh(false);
        if (failed && options.until_idle) {
            result = 1;
            break;
        }
        if (options.until_idle) {
            const bool idle = is_idle(cfg, *transports, children);
            idle_checks = idle ? idle_checks + 1 : 0;
            if (idle_checks >= 3) break;
            if (options.idle_timeout > 0 && Clock::now() - t0 > std::chrono::duration<double>(options.idle_timeout)) {
                std::cerr << "sluicectl up: not idle after " << options.idle_timeout << " s, stopping\n";
                result = 1;
                break;
            }
        }
    }
    // Stop: SIGTERM lets every host finish its batch; SIGKILL only for one that hangs.
    for (auto& c : children)
        if (c.pid > 0) ::kill(c.pid, SIGTERM);
    const auto deadline = Clock::now() + kStopGrace;
    for (auto& c : children) {
        while (c.pid > 0) {
            int status;
            if (::waitpid(c.pid, &status, WNOHANG) == c.pid) {
                c.pid = -1;
                break;
            }
            if (Clock::now() > deadline) {
                ::kill(c.pid, SIGKILL);
                ::waitpid(c.pid, &status, 0);
                c.pid = -1;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    table.refresh(true);
    table.print_summary(std::cout, seconds, restarts);
    // Idle, but not empty: say what waits for a bot that is not running.
    if (options.until_idle)
        for (const auto& w : disabled_bots_waiting(cfg, *transports)) std::cout << "warning: " << w << "\n";
    write_restart_counts(cfg, {});  // no `up` restarts these hosts any more
    return result;
}

}  // namespace sluice::ctl
