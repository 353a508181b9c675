// SPDX-License-Identifier: AGPL-3.0-or-later
// `sluicectl check`: everything that can be verified before a botnet starts.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sluice/core/config.hpp"
#include "sluice/core/transport.hpp"

namespace sluice::ctl {

struct CheckedBot {
    uint32_t kind = 0;
    std::string plugin_file;
};

// Loads the configuration and every enabled bot's plugin, validates parameters and edges.
// Returns one line per problem; `bots` gets the kind of every bot whose plugin loaded.
std::vector<std::string> check_config(const std::string& file, Config& cfg, std::map<std::string, CheckedBot>& bots);

int run_check(const std::string& file, bool json);

// One warning per disabled bot whose input holds records: nothing will take them until it is
// enabled. Asked by `check` and by `up`, which would otherwise say OK or idle over them.
std::vector<std::string> disabled_bots_waiting(const Config& cfg, TransportFactory& transports);

// The configuration for a verb that needs it: nullopt after printing every problem to stderr (the
// verb then exits with its own code), or, for verbs that report through exceptions, a throw with
// all problems in its message.
std::optional<Config> load_or_report(const std::string& file);
Config load_or_throw(const std::string& file);

}  // namespace sluice::ctl
