// SPDX-License-Identifier: AGPL-3.0-or-later
// IPAddress and IPNetwork. Canonical forms are what inet_ntop prints (dotted quad, compressed
// lower-case IPv6); sanitizing repairs what feeds really send: zero-padded octets, a host /32 or
// /128 suffix, surrounding blanks, integer-encoded IPv4.
#include <arpa/inet.h>

#include <charconv>
#include <cstdint>

#include "types/field_types.hpp"
#include "types/text_util.hpp"

namespace sluice::types {
namespace {

struct Addr {
    int family = 0;
    unsigned char bytes[16] = {};
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

std::string format_addr(const Addr& a) {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(a.family, a.bytes, buf, sizeof buf);
    return buf;
}

// "010.001.002.003" → "10.1.2.3"; inet_pton refuses leading zeros.
bool strip_ipv4_zero_padding(std::string_view v, std::string& out) {
    out.clear();
    int parts = 0;
    size_t start = 0;
    while (start <= v.size()) {
        size_t dot = v.find('.', start);
        std::string_view part = v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (part.empty() || part.size() > 3) return false;
        unsigned n = 0;
        auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
        if (ec != std::errc() || p != part.data() + part.size() || n > 255) return false;
        if (parts++) out += '.';
        out += std::to_string(n);
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return parts == 4;
}

bool parse_prefix(std::string_view s, unsigned max, unsigned& prefix) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), prefix);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty() && prefix <= max;
}

}  // namespace

bool IPAddress::is_valid(std::string_view v) const {
    Addr a;
    return parse_addr(v, a) && format_addr(a) == v;
}

bool IPAddress::sanitize(std::string_view v, std::string& out) const {
    v = text::trim(v);
    if (auto slash = v.find('/'); slash != std::string_view::npos) {
        // A network of exactly one host is that host; any other network is not an address.
        std::string_view suffix = v.substr(slash + 1);
        v = v.substr(0, slash);
        if (!(suffix == "32" && v.find(':') == std::string_view::npos) && suffix != "128") return false;
    }
    Addr a;
    if (parse_addr(v, a)) {
        out = format_addr(a);
        return true;
    }
    std::string unpadded;
    if (strip_ipv4_zero_padding(v, unpadded) && parse_addr(unpadded, a)) {
        out = format_addr(a);
        return true;
    }
    // An IPv4 address written as one integer, as some feeds do.
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec == std::errc() && p == v.data() + v.size() && !v.empty() && n <= 0xFFFFFFFFull) {
        a.family = AF_INET;
        for (int i = 3; i >= 0; --i, n >>= 8) a.bytes[i] = static_cast<unsigned char>(n & 0xFF);
        out = format_addr(a);
        return true;
    }
    return false;
}

bool IPNetwork::is_valid(std::string_view v) const {
    std::string canonical;
    return sanitize(v, canonical) && canonical == v;
}

bool IPNetwork::sanitize(std::string_view v, std::string& out) const {
    v = text::trim(v);
    std::string_view addr_text = v, prefix_text;
    if (auto slash = v.find('/'); slash != std::string_view::npos) {
        addr_text = v.substr(0, slash);
        prefix_text = v.substr(slash + 1);
    }
    Addr a;
    std::string unpadded;
    if (!parse_addr(addr_text, a)) {
        if (!strip_ipv4_zero_padding(addr_text, unpadded) || !parse_addr(unpadded, a)) return false;
    }
    const unsigned bits = a.family == AF_INET ? 32 : 128;
    unsigned prefix = bits;
    if (!prefix_text.empty() && !parse_prefix(prefix_text, bits, prefix)) return false;
    // Host bits are cleared, as Python's ip_network(strict=False) does.
    for (unsigned i = prefix; i < bits; ++i) a.bytes[i / 8] &= static_cast<unsigned char>(~(0x80u >> (i % 8)));
    out = format_addr(a) + "/" + std::to_string(prefix);
    return true;
}

}  // namespace sluice::types
