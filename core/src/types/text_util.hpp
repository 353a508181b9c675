// SPDX-License-Identifier: AGPL-3.0-or-later
// Small string helpers the type sanitizers share.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace sluice::text {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Python's str.strip(): ASCII whitespace, the separators 0x1c-0x1f and the Unicode spaces (UTF-8).
inline size_t py_space_len(std::string_view s, bool at_end) {
    if (s.empty()) return 0;
    const unsigned char c = static_cast<unsigned char>(at_end ? s.back() : s.front());
    if (is_space(static_cast<char>(c)) || (c >= 0x1c && c <= 0x1f)) return 1;
    static constexpr std::string_view wide[] = {
        "\xc2\x85",     "\xc2\xa0",     "\xe1\x9a\x80", "\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82", "\xe2\x80\x83",
        "\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86", "\xe2\x80\x87", "\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a",
        "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80"};
    for (std::string_view w : wide)
        if (at_end ? s.ends_with(w) : s.starts_with(w)) return w.size();
    return 0;
}

inline std::string_view py_strip(std::string_view s) {
    while (size_t n = py_space_len(s, false)) s.remove_prefix(n);
    while (size_t n = py_space_len(s, true)) s.remove_suffix(n);
    return s;
}

inline std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

inline std::string upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
    return out;
}

inline bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

inline bool starts_with_i(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace sluice::text
