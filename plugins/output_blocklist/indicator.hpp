// SPDX-License-Identifier: AGPL-3.0-or-later
//
// What a block list holds: an IP address, a CIDR network or a domain, in one canonical spelling
// (addresses as inet_ntop writes them, networks with their host bits cleared, domains in lower
// case without the final dot), so the same indicator written two ways is one entry.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::output_blocklist {

enum class Kind { address, network, domain };

struct Indicator {
    Kind kind = Kind::domain;
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};  // addresses and networks
    int prefix = 0;                   // networks; 32 or 128 for an address
    std::string text;                 // the canonical spelling

    // Block lists sort IPv4 before IPv6, numerically, then domains alphabetically.
    bool operator<(const Indicator& o) const;
    // Whether this network or address lies inside network `n` (same family).
    bool inside(const Indicator& n) const;
};

// Reads an address, a network ("a/len") or a domain; nullopt with `why` set when it is none.
std::optional<Indicator> parse_indicator(std::string_view text, std::string& why);

// The network of one address (/32 or /128): CIDR lists write every entry as a network.
Indicator as_network(const Indicator& address);

}  // namespace sluice::output_blocklist
