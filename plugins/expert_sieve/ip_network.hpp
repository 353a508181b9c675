// SPDX-License-Identifier: AGPL-3.0-or-later
// IPv4 and IPv6 addresses and networks for the `<<` operator, with Python's ipaddress semantics:
// ip_address() for the event's value, ip_network(strict=False) for the rule's ranges (host bits
// are ignored: '192.0.0.5/24' is 192.0.0.0/24).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::sieve {

struct IpAddress {
    int version = 4;                  // 4 or 6
    std::array<uint8_t, 16> bytes{};  // IPv4 uses the first four
};

// A dotted IPv4 address (no leading zeros) or an IPv6 address.
std::optional<IpAddress> parse_ip_address(std::string_view text);
// Python's ip_address(int): IPv4 below 2**32, else IPv6.
IpAddress ip_from_integer(uint64_t value);

struct IpNetwork {
    IpAddress base;  // host bits cleared
    int prefix = 0;
    // False for an address of the other version, as Python's `in`.
    bool contains(const IpAddress& a) const;
};

// "addr/prefix", "addr" (a single host), or for IPv4 "addr/netmask" and "addr/hostmask".
std::optional<IpNetwork> parse_ip_network(std::string_view text);

}  // namespace sluice::sieve
