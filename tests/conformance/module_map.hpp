// SPDX-License-Identifier: AGPL-3.0-or-later
// Which Sluice plugin implements an IntelMQ bot module.
#pragma once

#include <optional>
#include <string_view>

namespace sluice::conformance {

// The plugin for an IntelMQ module ("intelmq.bots.parsers.generic.parser_csv" -> "parser_csv"), or
// nothing when Sluice has no counterpart planned.
std::optional<std::string_view> plugin_for_module(std::string_view module);

}  // namespace sluice::conformance
