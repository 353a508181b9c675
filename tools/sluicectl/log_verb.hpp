// SPDX-License-Identifier: AGPL-3.0-or-later
// `sluicectl log <bot> [n] [level]` (intelmqctl log): the bot's last n log entries at or above a
// level, from var/log/<bot>.log and, when it holds too few, its rotated backups. Entries are parsed
// from either log_format; a text entry's continuation lines (a multi-line message) stay with it.
#pragma once

#include <string>
#include <vector>

namespace sluice::ctl {

// `args` follow the verb: <bot> [n] [level] [--json] (count and level in either order).
// Exit codes: 0 printed, 1 no log file yet, 2 usage or configuration error.
int run_log(const std::string& config, const std::vector<std::string>& args);

}  // namespace sluice::ctl
