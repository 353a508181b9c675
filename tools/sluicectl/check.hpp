// SPDX-License-Identifier: AGPL-3.0-or-later
// `sluicectl check`: everything that can be verified before a botnet starts.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sluice/core/config.hpp"

namespace sluice::ctl {

struct CheckedBot {
    uint32_t kind = 0;
    std::string plugin_file;
};

// Loads the configuration and every enabled bot's plugin, validates parameters and edges.
// Returns one line per problem; `bots` gets the kind of every bot whose plugin loaded.
std::vector<std::string> check_config(const std::string& file, Config& cfg, std::map<std::string, CheckedBot>& bots);

int run_check(const std::string& file, bool json);

}  // namespace sluice::ctl
