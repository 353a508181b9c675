// SPDX-License-Identifier: AGPL-3.0-or-later
#include "indicator.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <tuple>

namespace sluice::output_blocklist {
namespace {

std::string spell(const std::array<uint8_t, 16>& bytes, bool v6) {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
    return buf;
}

bool parse_address(std::string_view text, Indicator& out) {
    const std::string s(text);
    if (inet_pton(AF_INET, s.c_str(), out.bytes.data()) == 1) {
        out.v6 = false;
    } else if (inet_pton(AF_INET6, s.c_str(), out.bytes.data()) == 1) {
        out.v6 = true;
    } else {
        return false;
    }
    out.kind = Kind::address;
    out.prefix = out.v6 ? 128 : 32;
    out.text = spell(out.bytes, out.v6);
    return true;
}

void clear_host_bits(std::array<uint8_t, 16>& bytes, int prefix, int width) {
    for (int bit = prefix; bit < width; ++bit) bytes[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
}

bool parse_domain(std::string_view text, Indicator& out, std::string& why) {
    std::string d(text);
    if (!d.empty() && d.back() == '.') d.pop_back();
    std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return std::tolower(c); });
    if (d.empty() || d.size() > 253) {
        why = "not an IP address, a CIDR network or a domain name";
        return false;
    }
    size_t label = 0;
    for (char c : d) {
        if (c == '.') {
            if (label == 0) break;
            label = 0;
            continue;
        }
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') || ++label > 63) {
            label = 0;
            break;
        }
    }
    if (label == 0) {
        why = "not an IP address, a CIDR network or a domain name";
        return false;
    }
    out.kind = Kind::domain;
    out.text = std::move(d);
    return true;
}

}  // namespace

bool Indicator::operator<(const Indicator& o) const {
    const auto rank = [](const Indicator& i) { return i.kind == Kind::domain ? 2 : (i.v6 ? 1 : 0); };
    const int a = rank(*this), b = rank(o);
    return std::tie(a, bytes, prefix, text) < std::tie(b, o.bytes, o.prefix, o.text);
}

bool Indicator::inside(const Indicator& n) const {
    if (kind == Kind::domain || n.kind != Kind::network || v6 != n.v6 || prefix < n.prefix) return false;
    auto masked = bytes;
    clear_host_bits(masked, n.prefix, v6 ? 128 : 32);
    return masked == n.bytes;
}

std::optional<Indicator> parse_indicator(std::string_view text, std::string& why) {
    Indicator out;
    if (const auto slash = text.find('/'); slash != std::string_view::npos) {
        Indicator address;
        int prefix = -1;
        const auto len = text.substr(slash + 1);
        const auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), prefix);
        if (!parse_address(text.substr(0, slash), address) || ec != std::errc() || end != len.data() + len.size() ||
            prefix < 0 || prefix > address.prefix) {
            why = "not a CIDR network";
            return std::nullopt;
        }
        if (prefix == 0) {
            why = "a /0 network would block the whole address space";
            return std::nullopt;
        }
        out = address;
        out.kind = Kind::network;
        out.prefix = prefix;
        clear_host_bits(out.bytes, prefix, out.v6 ? 128 : 32);
        out.text = spell(out.bytes, out.v6) + "/" + std::to_string(prefix);
        return out;
    }
    if (parse_address(text, out)) return out;
    if (parse_domain(text, out, why)) return out;
    return std::nullopt;
}

Indicator as_network(const Indicator& address) {
    Indicator n = address;
    n.kind = Kind::network;
    n.text = address.text + "/" + std::to_string(address.prefix);
    return n;
}

}  // namespace sluice::output_blocklist
