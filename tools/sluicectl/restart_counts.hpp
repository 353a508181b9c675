// SPDX-License-Identifier: AGPL-3.0-or-later
// How often `sluicectl up` has restarted each bot's host since it started, kept in
// var/run/up.restarts.json so that /metrics (served by `up` or by `sluicectl metrics`) can show it.
// A host's own counters start again at zero with every host; this number is what tells a
// dashboard that they did.
#pragma once

#include <map>
#include <string>

#include "sluice/core/config.hpp"

namespace sluice::ctl {

// Replaces the file (written beside and renamed, so a reader never sees half of it).
void write_restart_counts(const Config& cfg, const std::map<std::string, int>& restarts);
// The counts of the running (or last) `up`; empty when there is no file.
std::map<std::string, int> read_restart_counts(const Config& cfg);

}  // namespace sluice::ctl
