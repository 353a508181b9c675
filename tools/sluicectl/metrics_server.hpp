// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The Prometheus endpoint: a small HTTP server (Boost.Beast) on a background thread answering
// GET /metrics (text format 0.0.4) and GET /health (200 or 503, JSON). It lives as long as the
// object: `sluicectl metrics` holds one until SIGTERM, `sluicectl up` for as long as it runs.
#pragma once

#include <memory>
#include <string>

#include "sluice/core/config.hpp"

namespace sluice::ctl {

class MetricsServer {
 public:
    // Binds `listen` ("address:port"; port 0 picks a free one) before returning, so a taken port
    // is an exception here rather than a silent thread. Throws std::runtime_error.
    MetricsServer(Config cfg, const std::string& listen);
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;
    // Where it listens, e.g. "http://127.0.0.1:9120".
    std::string url() const;

 private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// `sluicectl metrics [--listen ADDR:PORT]`: serves in the foreground until SIGINT or SIGTERM.
// The address defaults to [metrics] listen of the configuration, else 127.0.0.1:9120.
int run_metrics(const std::string& config, std::string listen);

// `sluicectl health [--json]`: 0 when every bot that should run runs, 1 otherwise.
int run_health(const std::string& config, bool json);

}  // namespace sluice::ctl
