// SPDX-License-Identifier: MIT
//
// Small encoding helpers for bots, header-only like bot.hpp (nothing here crosses the plugin
// boundary). Reports carry the fetched document in `raw`, which the harmonization stores
// base64-encoded: a parser reads `raw` and decodes it with base64::decode; a collector sets `raw`
// with the plain text and the host encodes it.
//
// base64 is RFC 4648's standard alphabet with `=` padding. decode is strict: any character outside
// the alphabet (whitespace included), a misplaced `=` or a length that is not a multiple of four
// throws base64::DecodeError naming the offending position, so a corrupted message is rejected
// instead of being parsed as garbage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sluice::base64 {

// Thrown by decode for input that is not valid base64.
struct DecodeError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

inline std::string encode(std::string_view in) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        const uint32_t n = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += alphabet[n & 63];
    }
    const size_t rest = in.size() - i;
    if (rest > 0) {
        uint32_t n = uint32_t(uint8_t(in[i])) << 16;
        if (rest == 2) n |= uint32_t(uint8_t(in[i + 1])) << 8;
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += rest == 2 ? alphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

namespace detail {
// The 6-bit value of a base64 character, or -1.
constexpr int sextet(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}
}  // namespace detail

inline std::string decode(std::string_view in) {
    if (in.size() % 4 != 0) {
        throw DecodeError("invalid base64: length " + std::to_string(in.size()) + " is not a multiple of 4");
    }
    size_t padding = 0;
    if (!in.empty() && in.back() == '=') padding = (in.size() >= 2 && in[in.size() - 2] == '=') ? 2 : 1;
    std::string out;
    out.reserve(in.size() / 4 * 3);
    for (size_t i = 0; i < in.size(); i += 4) {
        const bool last = i + 4 == in.size();
        uint32_t n = 0;
        for (size_t j = 0; j < 4; ++j) {
            const size_t pos = i + j;
            const char c = in[pos];
            int v = detail::sextet(c);
            if (v < 0) {
                if (c == '=' && last && pos >= in.size() - padding) {
                    v = 0;
                } else {
                    throw DecodeError("invalid base64: unexpected character at offset " + std::to_string(pos));
                }
            }
            n = (n << 6) | uint32_t(v);
        }
        out += char((n >> 16) & 0xff);
        if (!last || padding < 2) out += char((n >> 8) & 0xff);
        if (!last || padding < 1) out += char(n & 0xff);
    }
    return out;
}

}  // namespace sluice::base64
