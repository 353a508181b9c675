// SPDX-License-Identifier: AGPL-3.0-or-later
// `sluicectl list queues`: how many messages wait in each bot's input.
#pragma once

#include <string>

namespace sluice::ctl {
int run_list_queues(const std::string& config, bool json, bool non_zero, bool sum);
}  // namespace sluice::ctl
