// SPDX-License-Identifier: AGPL-3.0-or-later
// `sluicectl dump list|show|replay|delete`: IntelMQ's intelmqdump, without its prompts.
// Exit codes: 0 done; 1 failed (nothing changed for the entries that failed: a replay that could
// not re-inject keeps them in the dump); 2 bad usage (unknown bot, no such entry).
#pragma once

#include <string>
#include <vector>

namespace sluice::ctl {

// `args` are the words after "dump".
int run_dump(const std::string& config, const std::vector<std::string>& args);

}  // namespace sluice::ctl
