// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The processes sluice-bench measures: spawned with fork/exec, reaped with wait4 so their CPU time
// and peak memory come from the kernel's own accounting (rusage; for sluicectl that includes the
// hosts it reaped), plus /proc/<pid>/status for a process that is still running, and strace's -c
// summary for counting fsync calls.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sluice::bench {

struct Usage {
    bool exited_cleanly = false;  // exit code 0 (or ended by the SIGTERM we sent)
    std::string how;              // "exit code 1", "killed by signal 9", ...
    double user_s = 0;
    double sys_s = 0;
    long maxrss_kib = 0;  // ru_maxrss: the peak resident set of the process (and its reaped children)
};

class Child {
 public:
    Child() = default;
    // argv[0] is the program (a path, or a name looked up in PATH); stdout and stderr go to `log`.
    Child(const std::vector<std::string>& argv, const std::filesystem::path& log);
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    Child(Child&& other) noexcept;
    Child& operator=(Child&& other) noexcept;
    ~Child();  // kills a child still running

    pid_t pid() const { return pid_; }
    bool running();  // false once it has exited (then usage() is valid)
    // Sends `sig` (unless it already exited) and waits; SIGKILL after `grace`.
    const Usage& stop(int sig, std::chrono::milliseconds grace = std::chrono::seconds(15));
    // Waits for it to exit; SIGKILL after `limit`.
    const Usage& wait(std::chrono::milliseconds limit);
    const Usage& usage() const { return usage_; }

 private:
    bool reap(bool block);
    pid_t pid_ = -1;
    bool sent_term_ = false;
    Usage usage_;
};

struct ProcMemory {
    long vm_rss_kib = 0;
    long vm_hwm_kib = 0;
};
// VmRSS and VmHWM of a running process; nullopt when it is gone.
std::optional<ProcMemory> read_proc_memory(pid_t pid);

// User + system CPU seconds a running process has used so far (/proc/<pid>/stat); nullopt when gone.
std::optional<double> read_proc_cpu_seconds(pid_t pid);

// The first child process of `pid` (e.g. the program strace runs), or -1.
pid_t first_child_of(pid_t pid);

// The full path of `name` found in PATH, or empty.
std::filesystem::path find_in_path(const std::string& name);

// Calls counted by `strace -c -o file`.
struct SyscallCounts {
    uint64_t fsync = 0;
    uint64_t fdatasync = 0;
    uint64_t total() const { return fsync + fdatasync; }
};
std::optional<SyscallCounts> parse_strace_summary(const std::filesystem::path& file);
// The strace prefix that counts fsync and fdatasync of a process tree into `out`.
std::vector<std::string> strace_prefix(const std::filesystem::path& strace, const std::filesystem::path& out);

}  // namespace sluice::bench
