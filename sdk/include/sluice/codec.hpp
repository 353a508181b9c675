// SPDX-License-Identifier: MIT
//
// Small encoding helpers for bots and the host, header-only like bot.hpp (nothing here crosses the
// plugin boundary). Reports carry the fetched document in `raw`, which the harmonization stores
// base64-encoded: a parser reads `raw` and decodes it with base64::decode; a collector sets `raw`
// with the plain text and the host encodes it.
//
// base64 is RFC 4648's standard alphabet with `=` padding. decode is strict: any character outside
// the alphabet (whitespace included), a misplaced `=` or a length that is not a multiple of four
// throws base64::DecodeError naming the offending position, so a corrupted message is rejected
// instead of being parsed as garbage.
#pragma once

#include <algorithm>
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

// sextet() for every byte value, 0xff for "not in the alphabet": one load per character instead of
// a chain of comparisons. Reports can be tens of megabytes, so decode is on a hot path.
struct SextetTable {
    uint8_t value[256];
    constexpr SextetTable() : value() {
        for (int c = 0; c < 256; ++c) {
            const int v = sextet(static_cast<char>(c));
            value[c] = v < 0 ? 0xff : static_cast<uint8_t>(v);
        }
    }
};
inline constexpr SextetTable kSextets{};

[[noreturn]] inline void throw_unexpected(size_t pos) {
    throw DecodeError("invalid base64: unexpected character at offset " + std::to_string(pos));
}

// The padding of `in` (0, 1 or 2 '=' at its end), after checking its length.
inline size_t checked_padding(std::string_view in) {
    if (in.size() % 4 != 0) {
        throw DecodeError("invalid base64: length " + std::to_string(in.size()) + " is not a multiple of 4");
    }
    if (in.empty() || in.back() != '=') return 0;
    return (in.size() >= 2 && in[in.size() - 2] == '=') ? 2 : 1;
}

// Decodes the quads of `in` in [begin, end) (none of them the last quad of `in`) to `dst`, three
// bytes per quad; a character outside the alphabet has the top bit set in the table, so one test
// per quad finds it, and the error names its offset in `in`.
inline char* decode_quads(std::string_view in, size_t begin, size_t end, char* dst) {
    const uint8_t* const table = kSextets.value;
    const auto* src = reinterpret_cast<const unsigned char*>(in.data());
    for (size_t i = begin; i < end; i += 4) {
        const uint32_t a = table[src[i]], b = table[src[i + 1]], c = table[src[i + 2]], d = table[src[i + 3]];
        if ((a | b | c | d) & 0x80) {
            for (size_t j = i;; ++j) {
                if (table[src[j]] & 0x80) throw_unexpected(j);
            }
        }
        const uint32_t n = (a << 18) | (b << 12) | (c << 6) | d;
        dst[0] = char(n >> 16);
        dst[1] = char((n >> 8) & 0xff);
        dst[2] = char(n & 0xff);
        dst += 3;
    }
    return dst;
}

// Decodes the last quad of a non-empty `in`: '=' is accepted only in the padding positions.
inline char* decode_last_quad(std::string_view in, size_t padding, char* dst) {
    const uint8_t* const table = kSextets.value;
    const auto* src = reinterpret_cast<const unsigned char*>(in.data());
    uint32_t n = 0;
    for (size_t pos = in.size() - 4; pos < in.size(); ++pos) {
        uint32_t v = table[src[pos]];
        if (v & 0x80) {
            if (src[pos] == '=' && pos >= in.size() - padding) {
                v = 0;
            } else {
                throw_unexpected(pos);
            }
        }
        n = (n << 6) | v;
    }
    *dst++ = char((n >> 16) & 0xff);
    if (padding < 2) *dst++ = char((n >> 8) & 0xff);
    if (padding < 1) *dst++ = char(n & 0xff);
    return dst;
}
}  // namespace detail

inline std::string decode(std::string_view in) {
    const size_t padding = detail::checked_padding(in);
    if (in.empty()) return {};
    std::string out(in.size() / 4 * 3 - padding, '\0');
    char* dst = detail::decode_quads(in, 0, in.size() - 4, out.data());
    detail::decode_last_quad(in, padding, dst);
    return out;
}

// decode() piece by piece: a huge input (a report's raw can be tens of megabytes) is decoded into
// a small buffer the caller reuses instead of all at once. The same bytes and the same refusals,
// each when the piece holding the bad character is decoded; a bad length is refused at once.
class Decoder {
 public:
    // Refers to `in`, which must outlive the decoder.
    explicit Decoder(std::string_view in) : in_(in), padding_(detail::checked_padding(in)) {}

    // Everything was decoded.
    bool done() const { return pos_ >= in_.size(); }
    // Appends the decoding of the next `max_chars` characters or fewer (at least one quad) to
    // `out`; nothing once done().
    void next(std::string& out, size_t max_chars) {
        if (done()) return;
        const size_t last = in_.size() - 4;  // the final quad, the only one that may hold padding
        const size_t end = pos_ < last ? std::min(last, pos_ + std::max<size_t>(4, max_chars / 4 * 4)) : in_.size();
        const size_t before = out.size();
        out.resize(before + (end - pos_) / 4 * 3);
        char* dst = out.data() + before;
        if (pos_ < last) {
            dst = detail::decode_quads(in_, pos_, end, dst);
        } else {
            dst = detail::decode_last_quad(in_, padding_, dst);
        }
        out.resize(static_cast<size_t>(dst - out.data()));
        pos_ = end;
    }

 private:
    std::string_view in_;
    size_t padding_;
    size_t pos_ = 0;
};

}  // namespace sluice::base64

namespace sluice {

// The escape of an ASCII byte that JSON does not allow bare in a string ('"', '\\' and the controls
// below 0x20), as RapidJSON and Python's json.dumps write it: the short forms, else \u00XX in
// lowercase hex. Returns false, appending nothing, for every other byte.
inline bool append_json_escape(std::string& out, unsigned char c) {
    switch (c) {
        case '"':
            out += "\\\"";
            return true;
        case '\\':
            out += "\\\\";
            return true;
        case '\n':
            out += "\\n";
            return true;
        case '\r':
            out += "\\r";
            return true;
        case '\t':
            out += "\\t";
            return true;
        case '\b':
            out += "\\b";
            return true;
        case '\f':
            out += "\\f";
            return true;
        default:
            if (c >= 0x20) return false;
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
            return true;
    }
}

}  // namespace sluice
