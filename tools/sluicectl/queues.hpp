// SPDX-License-Identifier: AGPL-3.0-or-later
// `sluicectl list queues`: how many messages wait in each bot's input.
#pragma once

#include <string>

namespace sluice::ctl {
int run_list_queues(const std::string& config, bool json, bool non_zero, bool sum);
// `sluicectl clear <queue>`: removes what waits in one bot's input, on every transport it is fed by.
int run_clear(const std::string& config, const std::string& queue, bool json);
}  // namespace sluice::ctl
