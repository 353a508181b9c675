// SPDX-License-Identifier: AGPL-3.0-or-later
// What /metrics and /health answer: every bot's counters in Prometheus' text format 0.0.4, read
// from the hosts' var/run/<bot>.stats.json, and whether the hosts that should run do.
#pragma once

#include <string>
#include <vector>

#include "sluice/core/config.hpp"
#include "sluice/core/transport.hpp"

namespace sluice::ctl {

std::string render_metrics(const Config& cfg, TransportFactory& transports);

struct Health {
    std::vector<std::string> up, down;      // among the bots expected to run (bots_expected_up)
    std::vector<std::string> disk_full;     // up, but waiting for disk space
    std::vector<std::string> stuck;         // up, but making no progress (host_stuck)
    std::vector<std::string> broker_error;  // up, but a broker link fails (a refused login, …)
    bool ok() const { return down.empty() && disk_full.empty() && stuck.empty() && broker_error.empty(); }
    std::string json() const;  // {"ok":…,"up":[…],"down":[…],"disk_full":[…],"stuck":[…],"broker_error":[…]}
};
Health check_health(const Config& cfg);

}  // namespace sluice::ctl
