// SPDX-License-Identifier: AGPL-3.0-or-later
#include "bot_control.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "check.hpp"
#include "cli_error.hpp"
#include "host_liveness.hpp"
#include "sluice/core/config.hpp"
#include "sluice/core/message.hpp"
#include "sluice/core/plugin.hpp"
#include "sluice/core/stats.hpp"
#include "supervisor.hpp"

namespace sluice::ctl {
namespace {

using Clock = std::chrono::steady_clock;

bool wait_until(const std::function<bool()>& done, double seconds) {
    const auto until = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < until) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
}

// A host started detached from this terminal and process (setsid, second fork), like `sluicectl
// up` starts its children. The middle process stays to wait for the host and passes its exit
// status up a pipe, so that a host that runs and ends before it is seen holding its lock (a
// scheduled collector with little to do) is told apart from one that refused to start. It is killed
// once `start` has its answer; the host then belongs to init.
class DetachedHost {
 public:
    DetachedHost(const std::string& host, const Config& cfg, const std::string& bot) {
        const HostCommand command(host, cfg, bot);
        int pipefd[2];
        if (::pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
        middle_ = ::fork();
        if (middle_ == 0) {
            ::setsid();
            const pid_t child = ::fork();
            if (child != 0) {  // only async-signal-safe calls from here on
                (void)!::write(pipefd[1], &child, sizeof child);
                int status = 0;
                if (child > 0 && ::waitpid(child, &status, 0) == child)
                    (void)!::write(pipefd[1], &status, sizeof status);
                ::_exit(0);
            }
            const int null = ::open("/dev/null", O_RDONLY);
            if (null >= 0) ::dup2(null, STDIN_FILENO);
            exec_host(command);
        }
        ::close(pipefd[1]);
        from_middle_ = pipefd[0];
        (void)!::read(from_middle_, &pid_, sizeof pid_);
        ::fcntl(from_middle_, F_SETFL, O_NONBLOCK);
    }
    ~DetachedHost() {
        if (middle_ > 0) {
            ::kill(middle_, SIGKILL);
            int status;
            ::waitpid(middle_, &status, 0);
        }
        if (from_middle_ >= 0) ::close(from_middle_);
    }
    DetachedHost(const DetachedHost&) = delete;
    DetachedHost& operator=(const DetachedHost&) = delete;

    pid_t pid() const { return pid_; }
    // The host's wait status once it has ended; nothing while it runs.
    std::optional<int> ended() {
        if (!status_) {
            int status;
            if (::read(from_middle_, &status, sizeof status) == static_cast<ssize_t>(sizeof status)) status_ = status;
        }
        return status_;
    }

 private:
    pid_t middle_ = -1, pid_ = -1;
    int from_middle_ = -1;
    std::optional<int> status_;
};

struct Selected {
    Config cfg;
    std::vector<std::string> bots;
    std::map<std::string, CheckedBot> kinds;
};

const char* group_of(uint32_t kind) {
    switch (kind) {
        case SLUICE_KIND_COLLECTOR:
            return "collectors";
        case SLUICE_KIND_PARSER:
            return "parsers";
        case SLUICE_KIND_EXPERT:
            return "experts";
        default:
            return "outputs";
    }
}

// The bots a verb acts on; throws with one line per problem when the configuration is refused.
Selected select(const ControlOptions& o, bool need_valid_config, bool include_disabled = false) {
    Selected s;
    std::vector<std::string> errors = check_config(o.config, s.cfg, s.kinds);
    if (!need_valid_config) {
        errors.clear();
        s.cfg = load_config(o.config, errors);
    }
    if (!errors.empty()) {
        std::string all;
        for (const auto& e : errors) all += e + "\n";
        throw std::runtime_error("configuration refused:\n" + all);
    }
    if (!o.group.empty() && o.group != "collectors" && o.group != "parsers" && o.group != "experts" &&
        o.group != "outputs")
        throw usage_error("--group must be collectors, parsers, experts or outputs, not '" + o.group + "'");
    for (const auto& id : o.bots)
        if (!s.cfg.bots.count(id) || s.cfg.bots.at(id).remote) throw unknown_bot(id, s.cfg.file);
    if (!o.bots.empty()) {
        s.bots = o.bots;
        return s;
    }
    for (const auto& [id, b] : s.cfg.bots) {
        if (b.remote || (!b.enabled && !include_disabled)) continue;
        if (!o.group.empty()) {
            auto k = s.kinds.find(id);
            if (k == s.kinds.end() || o.group != group_of(k->second.kind)) continue;
        }
        s.bots.push_back(id);
    }
    return s;
}

void report(const ControlOptions& o, std::string& json, const std::string& bot, const std::string& state,
            const std::string& detail) {
    if (o.json) {
        json += json.size() > 1 ? "," : "";
        append_json_string(json, bot);
        json += ":{\"state\":";
        append_json_string(json, state);
        json += ",\"detail\":";
        append_json_string(json, detail);
        json += "}";
    } else {
        std::cout << bot << ": " << state << (detail.empty() ? "" : " (" + detail + ")") << "\n";
    }
}

int finish(const ControlOptions& o, std::string& json, bool ok) {
    if (o.json) std::cout << json << "}\n";
    return ok ? 0 : 1;
}

bool start_one(const ControlOptions& o, const Config& cfg, const std::string& bot, std::string& json) {
    if (const long pid = host_pid(cfg, bot); pid != 0) {
        report(o, json, bot, "running", pid > 0 ? "already running, pid " + std::to_string(pid) : "starting");
        return true;
    }
    DetachedHost host(host_binary(), cfg, bot);
    const pid_t pid = host.pid();
    // Started means: it holds its lock. A scheduled bot runs once, so its start waits for that run
    // to end (within the timeout) and says how it went. A host that ended either ran to its end
    // (exit 0) or refused to start; its log says why.
    const bool scheduled = cfg.bots.at(bot).settings.run_mode == "scheduled";
    const bool settled = wait_until([&] { return host.ended() || (!scheduled && host_pid(cfg, bot) > 0); }, o.timeout);
    if (!host.ended() && host_pid(cfg, bot) > 0) {
        report(o, json, bot, "running",
               "started, pid " + std::to_string(pid) + (scheduled ? ", its scheduled run still going" : ""));
        return true;
    }
    if (const auto status = host.ended(); status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) {
        report(o, json, bot, "stopped", "ran and finished, pid " + std::to_string(pid));
        return true;
    }
    std::ostringstream why;
    if (host.ended())
        why << "did not start: " << describe_exit(*host.ended());
    else if (settled)
        why << "did not start";
    else
        why << "did not take its lock within " << o.timeout << " s";
    report(o, json, bot, "failed",
           why.str() + "; see " + (cfg.var_dir / "log" / (bot + ".stderr")).string() + " and " +
               cfg.log_file(bot).string());
    return false;
}

bool stop_one(const ControlOptions& o, const Config& cfg, const std::string& bot, std::string& json) {
    const long pid = host_pid(cfg, bot);
    if (pid == 0) {
        report(o, json, bot, "stopped", "was not running");
        return true;
    }
    if (pid < 0) {
        report(o, json, bot, "unknown", "its lock is held by a process that is not its host");
        return false;
    }
    ::kill(static_cast<pid_t>(pid), SIGTERM);  // finishes its batch, then exits
    if (wait_until([&] { return host_pid(cfg, bot) == 0; }, o.timeout)) {
        report(o, json, bot, "stopped", "pid " + std::to_string(pid));
        return true;
    }
    // A host that does not finish its batch in time is hung (a bot stuck in process()): it is killed.
    // Its batch comes again, and the message it was on counts as a crash delivery (crash_guard.hpp).
    const std::string waited = "did not stop within " + std::to_string(static_cast<int>(o.timeout)) + " s";
    ::kill(static_cast<pid_t>(pid), SIGKILL);
    if (wait_until([&] { return host_pid(cfg, bot) == 0; }, 5)) {
        report(o, json, bot, "stopped", waited + ", killed with SIGKILL, pid " + std::to_string(pid));
        return true;
    }
    report(o, json, bot, "running", waited + ", and not even after SIGKILL, pid " + std::to_string(pid));
    return false;
}

}  // namespace

int run_start(const ControlOptions& o) {
    const Selected s = select(o, true);
    std::string json = "{";
    bool ok = true;
    for (const auto& bot : s.bots) ok &= start_one(o, s.cfg, bot, json);
    return finish(o, json, ok);
}

int run_stop(const ControlOptions& o) {
    const Selected s = select(o, false);
    std::string json = "{";
    bool ok = true;
    for (const auto& bot : s.bots) ok &= stop_one(o, s.cfg, bot, json);
    return finish(o, json, ok);
}

int run_restart(const ControlOptions& o) {
    const Selected s = select(o, true);
    std::string json = "{";
    bool ok = true;
    for (const auto& bot : s.bots) {
        std::string ignored = "{";
        ControlOptions quiet = o;
        quiet.json = true;  // only the final state is reported
        ok &= stop_one(quiet, s.cfg, bot, ignored) && start_one(o, s.cfg, bot, json);
    }
    return finish(o, json, ok);
}

int run_reload(const ControlOptions& o) {
    const Selected s = select(o, true);  // a configuration the hosts would refuse is not sent to them
    std::string json = "{";
    bool ok = true;
    for (const auto& bot : s.bots) {
        const long pid = host_pid(s.cfg, bot);
        if (pid > 0 && ::kill(static_cast<pid_t>(pid), SIGHUP) == 0) {
            report(o, json, bot, "running", "reloading, pid " + std::to_string(pid));
        } else {
            report(o, json, bot, "stopped", "not running, nothing to reload");
            ok = false;
        }
    }
    return finish(o, json, ok);
}

int run_status(const ControlOptions& o) {
    const Selected s = select(o, false, /*include_disabled*/ true);
    std::string json = "{";
    bool ok = true;
    for (const auto& bot : s.bots) {
        const long pid = host_pid(s.cfg, bot);
        BotStats st;
        const bool have = BotStats::read(s.cfg.stats_file(bot), st);
        const bool enabled = s.cfg.bots.at(bot).enabled;
        std::string state = pid > 0 ? "running" : pid < 0 ? "starting" : enabled ? "stopped" : "disabled";
        if (pid > 0 && have && (st.state == "disk full" || st.state == "broker error"))
            state = st.state;  // running, but waiting for space or for its broker
        if (pid > 0 && host_stuck(s.cfg, bot)) state = "stuck";
        if (pid == 0 && enabled) ok = false;
        if (o.json) {
            json += json.size() > 1 ? "," : "";
            append_json_string(json, bot);
            json += ":{\"state\":";
            append_json_string(json, state);
            json += ",\"pid\":" + std::to_string(pid > 0 ? pid : 0);
            json += ",\"counters\":" + (have ? st.to_json(bot, pid > 0 ? pid : 0) : std::string("null")) + "}";
        } else {
            std::cout << bot << ": " << state;
            if (state == "broker error") std::cout << " (" << st.problem << ")";
            if (pid > 0) std::cout << ", pid " << pid;
            if (have)
                std::cout << "; received " << st.received << ", sent " << st.sent_total() << ", failed " << st.failed
                          << ", dumped " << st.dumped << ", retried " << st.retried
                          << (st.last_message.empty() ? "" : ", last message " + st.last_message);
            std::cout << "\n";
        }
    }
    return finish(o, json, ok);
}

}  // namespace sluice::ctl
