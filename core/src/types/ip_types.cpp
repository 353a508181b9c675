// SPDX-License-Identifier: AGPL-3.0-or-later
// IPAddress and IPNetwork, as IntelMQ's harmonization.py does them with Python's ipaddress module.
// Output is what Python's str() prints: dotted quad; lower-case IPv6 with the longest run of two or
// more zero groups compressed and no dotted tail ("::ffff:1.2.3.4" → "::ffff:102:304").
// Like ipaddress, short IPv4 ("10.1") is refused and is_valid refuses zero-padded IPv4 ("010.1.1.1");
// sanitizing repairs zero padding, as Python before 3.9.5 did and as feeds need (a Sluice addition,
// tests/unit/test_message.cpp relies on it). is_valid accepts
// what ipaddress accepts (also upper-case IPv6), as IntelMQ's is_valid does; 0.0.0.0 and scope ids
// ("%eth0") are not valid addresses. Sanitizing drops a scope id, reads decimal integers as addresses
// (IPv6 past 2^32) and turns a one-host network ("/32", "/128", "/255.255.255.255") into its address.
#include <arpa/inet.h>

#include <charconv>
#include <cstdint>
#include <cstdio>

#include "types/field_types.hpp"
#include "types/text_util.hpp"

namespace sluice::types {
namespace {

struct Addr {
    int family = 0;
    unsigned char bytes[16] = {};
    unsigned bits() const { return family == AF_INET ? 32 : 128; }
};

bool parse_addr(std::string_view v, Addr& a) {
    if (v.empty() || v.size() > 45) return false;
    char buf[64];
    v.copy(buf, v.size());
    buf[v.size()] = '\0';
    if (inet_pton(AF_INET, buf, a.bytes) == 1) {
        a.family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, buf, a.bytes) == 1) {
        a.family = AF_INET6;
        return true;
    }
    return false;
}

// Python's ipaddress str().
std::string format_addr(const Addr& a) {
    char buf[64];
    if (a.family == AF_INET) {
        const int n = std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]);
        return std::string(buf, static_cast<size_t>(n));
    }
    unsigned h[8];
    for (int i = 0; i < 8; ++i) h[i] = (unsigned(a.bytes[2 * i]) << 8) | a.bytes[2 * i + 1];
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (h[i] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && h[j] == 0) ++j;
        if (j - i > best_len) best = i, best_len = j - i;
        i = j;
    }
    if (best_len < 2) best = -1;
    std::string out;
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        const int n = std::snprintf(buf, sizeof buf, "%x", h[i]);
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

unsigned count_leading_ones(const Addr& a) {
    unsigned n = 0;
    while (n < a.bits() && (a.bytes[n / 8] & (0x80u >> (n % 8)))) ++n;
    return n;
}

bool is_prefix_mask(const Addr& a, unsigned& ones) {
    ones = count_leading_ones(a);
    for (unsigned i = ones; i < a.bits(); ++i)
        if (a.bytes[i / 8] & (0x80u >> (i % 8))) return false;
    return true;
}

// ipaddress.ip_network(text, strict): "addr", "addr/len", and for IPv4 "addr/netmask" or "addr/hostmask".
bool parse_network(std::string_view v, bool strict, Addr& a, unsigned& prefix) {
    std::string_view addr_text = v, prefix_text;
    const size_t slash = v.find('/');
    if (slash != std::string_view::npos) {
        addr_text = v.substr(0, slash);
        prefix_text = v.substr(slash + 1);
        if (prefix_text.find('/') != std::string_view::npos) return false;
    }
    if (addr_text.find('%') != std::string_view::npos || !parse_addr(addr_text, a)) return false;
    prefix = a.bits();
    if (slash != std::string_view::npos) {
        if (all_digits(prefix_text)) {
            prefix_text.remove_prefix(std::min(prefix_text.find_first_not_of('0'), prefix_text.size() - 1));
            if (prefix_text.size() > 3) return false;
            std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix);
            if (prefix > a.bits()) return false;
        } else {
            Addr mask;
            if (a.family != AF_INET || !parse_addr(prefix_text, mask) || mask.family != AF_INET) return false;
            if (!is_prefix_mask(mask, prefix)) {
                for (auto& b : mask.bytes) b = static_cast<unsigned char>(~b);
                if (!is_prefix_mask(mask, prefix)) return false;
            }
        }
    }
    for (unsigned i = prefix; i < a.bits(); ++i) {
        const unsigned char bit = static_cast<unsigned char>(0x80u >> (i % 8));
        if (a.bytes[i / 8] & bit) {
            if (strict) return false;
            a.bytes[i / 8] &= static_cast<unsigned char>(~bit);
        }
    }
    return true;
}

// Python: str(value) == str(int(value)), then ipaddress.ip_address(int): IPv4 below 2^32, else IPv6.
bool integer_address(std::string_view v, Addr& a) {
    if (!all_digits(v) || (v.size() > 1 && v.front() == '0') || v.size() > 39) return false;
    unsigned char b[16] = {};
    for (char c : v) {  // b = b * 10 + digit, big-endian 128-bit
        unsigned carry = static_cast<unsigned>(c - '0');
        for (int i = 15; i >= 0; --i) {
            const unsigned x = b[i] * 10u + carry;
            b[i] = static_cast<unsigned char>(x & 0xFF);
            carry = x >> 8;
        }
        if (carry) return false;  // ≥ 2^128
    }
    bool v4 = true;
    for (int i = 0; i < 12; ++i) v4 = v4 && b[i] == 0;
    a = Addr{};
    if (v4) {
        a.family = AF_INET;
        for (int i = 0; i < 4; ++i) a.bytes[i] = b[12 + i];
    } else {
        a.family = AF_INET6;
        for (int i = 0; i < 16; ++i) a.bytes[i] = b[i];
    }
    return true;
}

// "010.001.002.003" → "10.1.2.3", read in decimal as Python before 3.9.5 read it.
bool strip_ipv4_zero_padding(std::string_view v, std::string& out) {
    out.clear();
    int parts = 0;
    size_t start = 0;
    for (;;) {
        const size_t dot = v.find('.', start);
        const std::string_view part =
            v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (!all_digits(part) || part.size() > 3) return false;
        unsigned n = 0;
        std::from_chars(part.data(), part.data() + part.size(), n);
        if (n > 255) return false;
        if (parts++) out += '.';
        out += std::to_string(n);
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return parts == 4;
}

// parse_network, also reading a zero-padded IPv4 address part.
bool parse_network_lenient(std::string_view v, bool strict, Addr& a, unsigned& prefix) {
    if (parse_network(v, strict, a, prefix)) return true;
    const size_t slash = v.find('/');
    std::string fixed;
    if (!strip_ipv4_zero_padding(v.substr(0, slash), fixed)) return false;
    if (slash != std::string_view::npos) fixed += v.substr(slash);
    return parse_network(fixed, strict, a, prefix);
}

}  // namespace

bool IPAddress::is_valid(std::string_view v) const {
    Addr a;
    if (v.find('%') != std::string_view::npos || !parse_addr(v, a)) return false;
    return !(a.family == AF_INET && a.bytes[0] == 0 && a.bytes[1] == 0 && a.bytes[2] == 0 && a.bytes[3] == 0);
}

bool IPAddress::sanitize(std::string_view v, std::string& out) const {
    v = text::py_strip(v);
    Addr a;
    if (integer_address(v, a)) {
        out = format_addr(a);
        return true;
    }
    v = v.substr(0, v.find('%'));  // the scope id
    unsigned prefix = 0;
    if (!parse_network_lenient(v, true, a, prefix) || prefix != a.bits()) return false;
    out = format_addr(a);
    return true;
}

bool IPNetwork::is_valid(std::string_view v) const {
    Addr a;
    unsigned prefix = 0;
    return parse_network(v, true, a, prefix);
}

bool IPNetwork::sanitize(std::string_view v, std::string& out) const {
    Addr a;
    unsigned prefix = 0;
    if (!parse_network_lenient(text::py_strip(v), false, a, prefix)) return false;
    out = format_addr(a) + "/" + std::to_string(prefix);
    return true;
}

}  // namespace sluice::types
