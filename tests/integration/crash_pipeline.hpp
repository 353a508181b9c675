// SPDX-License-Identifier: AGPL-3.0-or-later
// The crash test every transport goes through: 100,000 events through collector → parser → middle
// → sink, run by `sluicectl up`, while the middle bot's host is killed with SIGKILL several times
// (and, for AMQP, the broker is restarted). Every event must reach the sink; duplicates are counted.
#pragma once

#include <functional>
#include <string>

namespace sluice::test {

struct CrashRun {
    std::string transport;         // every edge's transport
    std::string transports_table;  // extra TOML for [transports.*]
    int kills = 3;
    std::function<void()> mid_run;  // called once after the first kill (broker restart)
};

struct CrashResult {
    int kills = 0;
    size_t events = 0;  // lines written by the sink
    size_t unique = 0;  // distinct event ids among them
    size_t duplicates = 0;
    int first_id = -1, last_id = -1;
    size_t without_id = 0;
    int exit_code = -1;
    std::string output;     // what sluicectl up printed
    std::string host_logs;  // the last lines of each host's log, for a failure's message
};

constexpr int kCrashEvents = 100000;

CrashResult run_crash_pipeline(const CrashRun& run);

}  // namespace sluice::test
