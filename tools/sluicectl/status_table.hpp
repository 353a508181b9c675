// SPDX-License-Identifier: AGPL-3.0-or-later
// The per-bot counters `sluicectl up` shows while it runs, and the summary it prints at the end.
#pragma once

#include <chrono>
#include <map>
#include <ostream>
#include <string>

#include "sluice/core/config.hpp"
#include "sluice/core/stats.hpp"

namespace sluice::ctl {

class StatusTable {
 public:
    StatusTable(const Config& cfg, bool quiet);
    // Redraws the live table (on a terminal, once a second; elsewhere a line every 5 s, none when quiet).
    void refresh(bool force);
    void print_summary(std::ostream& os, double seconds, const std::map<std::string, int>& restarts) const;
    // A host of `bot` has exited: keep its counters, so totals survive restarts.
    void absorb(const std::string& bot);

 private:
    // This run's counters of `bot`: those of its hosts that exited plus the running one's.
    bool totals(const std::string& bot, BotStats& out) const;

    const Config& cfg_;
    std::map<std::string, BotStats> carried_;
    bool tty_;
    bool quiet_;
    int drawn_lines_ = 0;
    std::chrono::steady_clock::time_point last_{};
};

}  // namespace sluice::ctl
