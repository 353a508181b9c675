// SPDX-License-Identifier: AGPL-3.0-or-later
// `sluicectl enable|disable <bot>`: sets `enabled` in the bot's table of the TOML file, editing that
// one line (or adding it under the table's header) so every comment and the layout stay as written.
// The edited file is loaded and checked before it replaces the old one, atomically.
#pragma once

#include <string>

namespace sluice::ctl {

int run_set_enabled(const std::string& config, const std::string& bot, bool enabled, bool json);

// The text of `toml` with bot `bot`'s `enabled` set; throws when the bot's table is not a
// [bots.<id>] section this edit can find (an inline table, say). Exposed for tests.
std::string with_enabled(const std::string& toml, const std::string& bot, bool enabled);

}  // namespace sluice::ctl
