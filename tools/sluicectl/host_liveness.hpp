// SPDX-License-Identifier: AGPL-3.0-or-later
// Whether a bot's host runs, asked of the kernel: a running host holds the flock on
// var/run/<bot>.lock, and the kernel drops it when the process dies, so no PID file can lie.
#pragma once

#include <string>
#include <vector>

#include "sluice/core/config.hpp"

namespace sluice::ctl {

bool host_running(const Config& cfg, const std::string& bot);

// The bots a healthy botnet has running: enabled, local, and not run_mode = "scheduled" (those
// run once and exit by design, from a timer or cron).
std::vector<std::string> bots_expected_up(const Config& cfg);

}  // namespace sluice::ctl
