// SPDX-License-Identifier: AGPL-3.0-or-later
#include "child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace sluice::bench {
namespace {

double seconds_of(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }

}  // namespace

Child::Child(const std::vector<std::string>& argv, const std::filesystem::path& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const std::string log_file = log.string();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        // Child: nothing but redirect and exec from here on.
        const int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ::dup2(fd, STDOUT_FILENO);
            ::dup2(fd, STDERR_FILENO);
        }
        ::execvp(args[0], args.data());
        std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
        ::_exit(127);
    }
}

Child::Child(Child&& other) noexcept { *this = std::move(other); }

Child& Child::operator=(Child&& other) noexcept {
    if (this != &other) {
        if (pid_ > 0) stop(SIGKILL);
        pid_ = other.pid_;
        sent_term_ = other.sent_term_;
        usage_ = other.usage_;
        other.pid_ = -1;
    }
    return *this;
}

Child::~Child() {
    if (pid_ > 0) stop(SIGKILL);
}

bool Child::reap(bool block) {
    if (pid_ <= 0) return true;
    int status = 0;
    rusage ru{};
    const pid_t r = ::wait4(pid_, &status, block ? 0 : WNOHANG, &ru);
    if (r == 0) return false;
    if (r < 0 && errno == EINTR) return false;
    pid_ = -1;
    if (r < 0) {
        usage_.how = std::string("wait4: ") + std::strerror(errno);
        return true;
    }
    usage_.user_s = seconds_of(ru.ru_utime);
    usage_.sys_s = seconds_of(ru.ru_stime);
    usage_.maxrss_kib = ru.ru_maxrss;
    if (WIFEXITED(status)) {
        usage_.exited_cleanly = WEXITSTATUS(status) == 0;
        usage_.how = "exit code " + std::to_string(WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        usage_.exited_cleanly = sent_term_ && WTERMSIG(status) == SIGTERM;
        usage_.how = "killed by signal " + std::to_string(WTERMSIG(status));
    }
    return true;
}

bool Child::running() { return !reap(false); }

const Usage& Child::stop(int sig, std::chrono::milliseconds grace) {
    if (pid_ > 0 && running()) {
        sent_term_ = sig == SIGTERM;
        ::kill(pid_, sig);
    }
    return wait(grace);
}

const Usage& Child::wait(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!reap(false)) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            reap(true);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return usage_;
}

std::optional<ProcMemory> read_proc_memory(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    if (!in) return std::nullopt;
    ProcMemory m;
    bool any = false;
    for (std::string line; std::getline(in, line);) {
        long* target = line.rfind("VmRSS:", 0) == 0   ? &m.vm_rss_kib
                       : line.rfind("VmHWM:", 0) == 0 ? &m.vm_hwm_kib
                                                      : nullptr;
        if (!target) continue;
        *target = std::strtol(line.c_str() + 6, nullptr, 10);
        any = true;
    }
    if (!any) return std::nullopt;
    return m;
}

std::optional<double> read_proc_cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!in || !std::getline(in, text)) return std::nullopt;
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const auto close = text.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
        if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

pid_t first_child_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
    long child = -1;
    if (in >> child) return static_cast<pid_t>(child);
    return -1;
}

std::filesystem::path find_in_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        if (dir.empty()) continue;
        const std::filesystem::path candidate = std::filesystem::path(dir) / name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return {};
}

std::optional<SyscallCounts> parse_strace_summary(const std::filesystem::path& file) {
    // % time     seconds  usecs/call     calls    errors syscall
    //  88.89    0.000088          88         1           fsync
    std::ifstream in(file);
    if (!in) return std::nullopt;
    SyscallCounts counts;
    bool header = false;
    for (std::string line; std::getline(in, line);) {
        if (line.find("syscall") != std::string::npos && line.find("calls") != std::string::npos) header = true;
        std::istringstream words(line);
        std::vector<std::string> w;
        for (std::string x; words >> x;) w.push_back(x);
        if (w.size() < 5) continue;
        const std::string& name = w.back();
        if (name != "fsync" && name != "fdatasync") continue;
        const uint64_t calls = std::strtoull(w[3].c_str(), nullptr, 10);
        (name == "fsync" ? counts.fsync : counts.fdatasync) += calls;
    }
    if (!header) return std::nullopt;
    return counts;
}

std::vector<std::string> strace_prefix(const std::filesystem::path& strace, const std::filesystem::path& out) {
    // --seccomp-bpf stops the tracees only at the two traced calls, so the run is barely slowed.
    return {strace.string(), "-f", "--seccomp-bpf", "-c", "-e", "trace=fsync,fdatasync", "-o", out.string(), "--"};
}

}  // namespace sluice::bench
