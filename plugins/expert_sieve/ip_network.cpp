// SPDX-License-Identifier: AGPL-3.0-or-later
#include "ip_network.hpp"

#include <arpa/inet.h>

#include <string>

namespace sluice::sieve {
namespace {

int max_prefix(const IpAddress& a) { return a.version == 4 ? 32 : 128; }

// The prefix length of an IPv4 netmask (255.255.255.0) or hostmask (0.0.0.255); -1 when neither.
int prefix_from_mask(const IpAddress& mask) {
    uint32_t v = (uint32_t(mask.bytes[0]) << 24) | (uint32_t(mask.bytes[1]) << 16) | (uint32_t(mask.bytes[2]) << 8) |
                 mask.bytes[3];
    const auto ones_then_zeros = [](uint32_t m) -> int {
        int n = 0;
        while (n < 32 && (m & (0x80000000u >> n))) ++n;
        const uint32_t expect = n == 0 ? 0 : ~uint32_t(0) << (32 - n);
        return m == expect ? n : -1;
    };
    if (const int n = ones_then_zeros(v); n >= 0) return n;
    if (const int n = ones_then_zeros(~v); n >= 0) return n;
    return -1;
}

}  // namespace

std::optional<IpAddress> parse_ip_address(std::string_view text) {
    if (text.empty() || text.size() > 45) return std::nullopt;
    const std::string s(text);
    IpAddress a;
    if (s.find(':') != std::string::npos) {
        if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
        a.version = 6;
        return a;
    }
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
    a.version = 4;
    return a;
}

IpAddress ip_from_integer(uint64_t value) {
    IpAddress a;
    if (value < (uint64_t(1) << 32)) {
        a.version = 4;
        for (int i = 0; i < 4; ++i) a.bytes[size_t(i)] = uint8_t(value >> (24 - 8 * i));
    } else {
        a.version = 6;
        for (int i = 0; i < 8; ++i) a.bytes[size_t(8 + i)] = uint8_t(value >> (56 - 8 * i));
    }
    return a;
}

bool IpNetwork::contains(const IpAddress& a) const {
    if (a.version != base.version) return false;
    const int full = prefix / 8;
    for (int i = 0; i < full; ++i) {
        if (a.bytes[size_t(i)] != base.bytes[size_t(i)]) return false;
    }
    const int rest = prefix % 8;
    if (rest == 0) return true;
    const auto mask = uint8_t(0xFF << (8 - rest));
    return (a.bytes[size_t(full)] & mask) == base.bytes[size_t(full)];
}

std::optional<IpNetwork> parse_ip_network(std::string_view text) {
    const size_t slash = text.find('/');
    const auto addr = parse_ip_address(text.substr(0, slash));
    if (!addr) return std::nullopt;
    IpNetwork net{*addr, max_prefix(*addr)};
    if (slash != std::string_view::npos) {
        const std::string_view p = text.substr(slash + 1);
        if (p.empty()) return std::nullopt;
        bool all_digits = p.size() <= 3;
        int n = 0;
        for (const char c : p) {
            if (c < '0' || c > '9') {
                all_digits = false;
                break;
            }
            n = n * 10 + (c - '0');
        }
        if (all_digits) {
            if (n > max_prefix(*addr)) return std::nullopt;
            net.prefix = n;
        } else {
            const auto mask = addr->version == 4 ? parse_ip_address(p) : std::nullopt;
            if (!mask || mask->version != 4) return std::nullopt;
            net.prefix = prefix_from_mask(*mask);
            if (net.prefix < 0) return std::nullopt;
        }
    }
    // strict=False: clear the host bits.
    for (int bit = net.prefix; bit < max_prefix(*addr); ++bit)
        net.base.bytes[size_t(bit / 8)] &= uint8_t(~(0x80 >> (bit % 8)));
    return net;
}

}  // namespace sluice::sieve
