// SPDX-License-Identifier: AGPL-3.0-or-later
//
// intelmqctl's verbs for hosts in the background: start, stop, restart, reload, status. One
// instance per bot is the host's flock on var/run/<bot>.lock; the pid written inside it is read
// only while the lock is held and checked against /proc/<pid>/cmdline before any signal, so a
// stale or reused pid can never make sluicectl signal a foreign process (IntelMQ's PID files can).
#pragma once

#include <string>
#include <vector>

namespace sluice::ctl {

struct ControlOptions {
    std::string config;
    std::vector<std::string> bots;  // empty: every enabled bot (or every bot of `group`)
    std::string group;              // collectors, parsers, experts, outputs
    bool json = false;
    double timeout = 30;  // seconds to wait for a host to start or stop
};

// Each returns the exit code: 0 when every bot asked for is in the wanted state.
int run_start(const ControlOptions& o);
int run_stop(const ControlOptions& o);
int run_restart(const ControlOptions& o);
int run_reload(const ControlOptions& o);
int run_status(const ControlOptions& o);

}  // namespace sluice::ctl
