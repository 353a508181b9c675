// SPDX-License-Identifier: AGPL-3.0-or-later
// `sluicectl list bots` and `sluicectl docs <plugin>`: what the installed plugins say about
// themselves. Their parameter tables are the one source for validation and for the docs.
#pragma once

#include <string>

namespace sluice::ctl {

int run_list_bots(const std::string& config, bool json);
// Prints the plugin's parameter table as the Markdown its README carries.
int run_docs(const std::string& config, const std::string& plugin);

}  // namespace sluice::ctl
