// SPDX-License-Identifier: AGPL-3.0-or-later
//
// IntelMQ's classification.type -> classification.taxonomy map (intelmq/bots/experts/taxonomy/expert.py,
// TAXONOMY, at certtools/intelmq d5e3e411705b; ../shared/conformance/intelmq/classification.json,
// "type_to_taxonomy"). Compiled in, as IntelMQ does, so the bot needs no data file at run time.
#pragma once

#include <optional>
#include <string_view>

namespace sluice::taxonomy {

// The taxonomy a classification type belongs to, or nothing for a type IntelMQ does not map.
std::optional<std::string_view> taxonomy_of(std::string_view type);

}  // namespace sluice::taxonomy
