// SPDX-License-Identifier: AGPL-3.0-or-later
// `sluicectl systemd [--user] [--prefix DIR]`: the unit files that run a botnet under systemd
// instead of `sluicectl up` — a template sluice@.service (one instance per bot, restarted always),
// sluice-metrics.service for the Prometheus endpoint — and the commands that enable them.
#pragma once

#include <string>

namespace sluice::ctl {

struct SystemdOptions {
    std::string config;
    bool user = false;   // units for `systemctl --user` (no system-wide sandboxing)
    std::string prefix;  // where bin/sluice-host and bin/sluicectl are installed; default: beside this sluicectl
};

int run_systemd(const SystemdOptions& options);

}  // namespace sluice::ctl
