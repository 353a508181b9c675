// SPDX-License-Identifier: AGPL-3.0-or-later
//
// `sluicectl up`: runs every enabled bot of a configuration as a supervised sluice-host child in the
// foreground. A host that crashes is restarted with back-off; one that refuses to start (exit 2)
// is not, since restarting cannot fix its configuration. Ctrl-C or SIGTERM stops all cleanly.
// With until_idle, it returns once the collectors are done and every queue is drained.
#pragma once

#include <string>
#include <vector>

#include "sluice/core/config.hpp"

namespace sluice::ctl {

struct UpOptions {
    std::string config = "conf/sluice.toml";
    bool until_idle = false;
    std::vector<std::string> only;  // run only these bots (all enabled ones when empty)
    double idle_timeout = 0;        // with until_idle: give up after this many seconds (0: never)
};

int run_up(const UpOptions& options);

// The sluice-host to run: $SLUICE_HOST, else the one beside this sluicectl.
std::string host_binary();

// How a bot's host is started, prepared before fork() so the child only calls exec_host().
struct HostCommand {
    HostCommand(const std::string& host_binary, const Config& cfg, const std::string& bot);
    std::string host, config, bot, stderr_file;
};
// In a forked child: stdout and stderr to var/log/<bot>.stderr, then exec sluice-host.
[[noreturn]] void exec_host(const HostCommand& command);
// A host's wait status in words: "killed by signal 9 (Killed)", "timed out (…)", "exit code 2".
std::string describe_exit(int status);

}  // namespace sluice::ctl
