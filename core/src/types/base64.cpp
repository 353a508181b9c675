// SPDX-License-Identifier: AGPL-3.0-or-later
#include "types/base64.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace sluice {
namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_reverse() {
    std::array<int8_t, 256> r{};
    for (auto& x : r) x = -1;
    for (int i = 0; i < 64; ++i) r[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
    return r;
}
constexpr auto reverse = make_reverse();

// The two characters of every 12-bit value: three input bytes become four characters with two
// lookups. `raw` is every report's whole text, so a collector encodes megabytes per second; the
// character-by-character version ran at about 150 MB/s.
constexpr std::array<char, 8192> make_pairs() {
    std::array<char, 8192> p{};
    for (int v = 0; v < 4096; ++v) {
        p[2 * v] = alphabet[v >> 6];
        p[2 * v + 1] = alphabet[v & 63];
    }
    return p;
}
constexpr auto pairs = make_pairs();

}  // namespace

std::string base64_encode(std::string_view in) {
    std::string out((in.size() + 2) / 3 * 4, '=');
    const auto* src = reinterpret_cast<const unsigned char*>(in.data());
    char* dst = out.data();
    const size_t whole = in.size() / 3;
    for (size_t i = 0; i < whole; ++i, src += 3, dst += 4) {
        const uint32_t n = (uint32_t(src[0]) << 16) | (uint32_t(src[1]) << 8) | src[2];
        std::memcpy(dst, &pairs[2 * (n >> 12)], 2);
        std::memcpy(dst + 2, &pairs[2 * (n & 0xFFF)], 2);
    }
    if (const size_t rest = in.size() % 3; rest > 0) {  // one or two bytes: the '=' are already there
        const uint32_t n = (uint32_t(src[0]) << 16) | (rest == 2 ? uint32_t(src[1]) << 8 : 0);
        dst[0] = alphabet[n >> 18];
        dst[1] = alphabet[(n >> 12) & 63];
        if (rest == 2) dst[2] = alphabet[(n >> 6) & 63];
    }
    return out;
}

bool base64_valid(std::string_view in) {
    if (in.size() % 4 != 0) return false;
    size_t end = in.size();
    if (end >= 1 && in[end - 1] == '=') --end;
    if (end >= 1 && in[end - 1] == '=' && end + 1 == in.size()) --end;
    // A plain early-exit loop: the branch is always predicted, and it measured faster (3 GB/s)
    // than OR-ing every table value and testing the sign once (2 GB/s).
    for (size_t i = 0; i < end; ++i)
        if (reverse[static_cast<unsigned char>(in[i])] < 0) return false;
    return in.size() - end < 3;
}

bool base64_decode(std::string_view in, std::string& out) {
    out.clear();
    if (in.size() % 4 != 0) return false;
    out.reserve(in.size() / 4 * 3);
    for (size_t i = 0; i < in.size(); i += 4) {
        int v[4];
        int pad = 0;
        for (int j = 0; j < 4; ++j) {
            const char c = in[i + j];
            if (c == '=' && i + 4 == in.size() && j >= 2) {
                v[j] = 0;
                ++pad;
                continue;
            }
            if (pad) return false;  // data after padding
            v[j] = reverse[static_cast<unsigned char>(c)];
            if (v[j] < 0) return false;
        }
        const uint32_t n = (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
        out += static_cast<char>(n >> 16);
        if (pad < 2) out += static_cast<char>((n >> 8) & 0xFF);
        if (pad < 1) out += static_cast<char>(n & 0xFF);
    }
    return true;
}

}  // namespace sluice
