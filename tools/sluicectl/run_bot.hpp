// SPDX-License-Identifier: AGPL-3.0-or-later
// `sluicectl run <bot>` (intelmqctl run): debug one bot in the foreground.
//  - no option: its sluice-host in the foreground at log level debug, logging to the terminal (the
//    host's lock refuses a bot that already runs);
//  - --msg JSON|@FILE: that one message through the bot in this process (the real plugin loader,
//    parameter validation, harmonization and host functions), with its configured parameters;
//  - --dry-run: nothing is appended to any queue and nothing acknowledged; without --msg, one
//    message is taken from the bot's own input and left there;
//  - --show-sent: prints the emitted messages per path.
// Without --dry-run, what the bot emitted is appended to the queues of its paths (and a message
// taken from its input is acknowledged). A collector runs one collect() instead of a message.
#pragma once

#include <string>
#include <vector>

namespace sluice::ctl {

struct RunOptions {
    std::string config;
    std::string bot;
    std::string msg;  // JSON text, or @FILE
    bool has_msg = false;
    bool dry_run = false;
    bool show_sent = false;
    bool json = false;
};

// Exit codes: 0 processed, 1 the bot failed the message (or there was none to take), 2 usage or
// configuration error, or the bot is running when its input was to be read.
int run_bot(const RunOptions& options);
// The verb's arguments after "run": <bot> [--msg JSON|@FILE] [--dry-run] [--show-sent] [--json].
int run_bot_cli(const std::string& config, const std::vector<std::string>& args);

}  // namespace sluice::ctl
