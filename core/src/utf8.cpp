// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/utf8.hpp"

namespace sluice {

namespace {

struct Sequence {
    size_t length;  // valid: the whole sequence; invalid: its maximal subpart, at least 1 byte
    bool valid;
};

// The sequence at the start of a non-empty `s`. The lead byte gives the length and the range the
// second byte must be in, which is what rules out overlong forms (E0, F0), surrogates (ED) and
// code points past U+10FFFF (F4). An invalid one spans the lead byte and the bytes after it that
// could still have continued it (Unicode's "maximal subpart", as Python's errors="replace" and
// the WHATWG decoder count them): one U+FFFD each.
Sequence scan(std::string_view s) {
    const auto b = static_cast<unsigned char>(s[0]);
    if (b < 0x80) return {1, true};
    size_t len = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        if (b == 0xE0) low = 0xA0;
        if (b == 0xED) high = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        if (b == 0xF0) low = 0x90;
        if (b == 0xF4) high = 0x8F;
    } else {
        return {1, false};
    }
    size_t k = 1;
    if (k < s.size() && static_cast<unsigned char>(s[k]) >= low && static_cast<unsigned char>(s[k]) <= high) ++k;
    if (k == 2)
        while (k < len && k < s.size() && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) ++k;
    return {k, k == len};
}

}  // namespace

size_t utf8_sequence_length(std::string_view s) {
    if (s.empty()) return 0;
    const Sequence q = scan(s);
    return q.valid ? q.length : 0;
}

size_t utf8_invalid_length(std::string_view s) {
    if (s.empty()) return 0;
    const Sequence q = scan(s);
    return q.valid ? 0 : q.length;
}

bool valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        const size_t n = utf8_sequence_length(s.substr(i));
        if (n == 0) return false;
        i += n;
    }
    return true;
}

size_t append_repaired_utf8(std::string& out, std::string_view s) {
    size_t replaced = 0;
    for (size_t i = 0; i < s.size();) {
        size_t plain = i;
        while (plain < s.size() && static_cast<unsigned char>(s[plain]) < 0x80) ++plain;
        out.append(s.data() + i, plain - i);
        i = plain;
        if (i == s.size()) break;
        const Sequence q = scan(s.substr(i));
        if (q.valid) {
            out.append(s.data() + i, q.length);
        } else {
            out += "\xEF\xBF\xBD";
            ++replaced;
        }
        i += q.length;
    }
    return replaced;
}

}  // namespace sluice
