// SPDX-License-Identifier: AGPL-3.0-or-later
// The event keys' harmonization types, as IntelMQ's sieve checks them when it reads a rule file:
// numeric comparisons need a numeric key, == / != / :in on an IP address key need IP addresses.
// The plugin cannot ask the host for types, so IntelMQ's table (the same keys as
// conf/harmonization.toml) is compiled in.
#pragma once

#include <optional>
#include <string_view>

namespace sluice::sieve {

// The type name ("IPAddress", "Integer", ...) of an event key; nothing for unknown keys and extra.*.
std::optional<std::string_view> event_key_type(std::string_view key);

// Integer, Float, Accuracy and ASN: the types IntelMQ allows in numeric comparisons.
bool is_numeric_type(std::string_view type);

}  // namespace sluice::sieve
