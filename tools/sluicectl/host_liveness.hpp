// SPDX-License-Identifier: AGPL-3.0-or-later
// Whether a bot's host runs, asked of the kernel: a running host holds the flock on
// var/run/<bot>.lock, and the kernel drops it when the process dies, so no PID file can lie.
#pragma once

#include <string>
#include <vector>

#include "sluice/core/config.hpp"

namespace sluice::ctl {

// The pid of the host holding `bot`'s lock: 0 when none does, -1 when the lock is held but the pid
// written in it is not (yet) a sluice-host of this bot. The pid is read only while the lock is held
// and checked against /proc/<pid>/cmdline, so a stale or reused pid is never returned.
long host_pid(const Config& cfg, const std::string& bot);
bool host_running(const Config& cfg, const std::string& bot);

// A running host that makes no progress while it holds records: its counters file, which a host
// rewrites every few hundred milliseconds while it waits for input or on its outputs, has not
// changed for longer than stuck_after(bot) although records were in flight (a bot hung in
// process() before process_timeout catches it, a host stopped with SIGSTOP, or process_timeout 0).
bool host_stuck(const Config& cfg, const std::string& bot);
// Half of process_timeout, between 2 and 30 s; 30 s without a time-out.
double stuck_after(const BotSettings& settings);

// The bots a healthy botnet has running: enabled, local, and not run_mode = "scheduled" (those
// run once and exit by design, from a timer or cron).
std::vector<std::string> bots_expected_up(const Config& cfg);

}  // namespace sluice::ctl
