// SPDX-License-Identifier: AGPL-3.0-or-later
#include "split_lines.hpp"

namespace sluice::json_parser {

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> out;
    size_t start = 0, i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        size_t len = 0;  // length of the terminator at i, 0 when none
        if (c == '\r') {
            len = i + 1 < text.size() && text[i + 1] == '\n' ? 2 : 1;
        } else if (c == '\n' || c == '\v' || c == '\f' || c == 0x1c || c == 0x1d || c == 0x1e) {
            len = 1;
        } else if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x85) {
            len = 2;  // U+0085
        } else if (c == 0xe2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(text[i + 2]) == 0xa8 ||
                    static_cast<unsigned char>(text[i + 2]) == 0xa9)) {
            len = 3;  // U+2028, U+2029
        }
        if (len == 0) {
            ++i;
            continue;
        }
        out.push_back(text.substr(start, i - start));
        i += len;
        start = i;
    }
    if (start < text.size()) out.push_back(text.substr(start));
    return out;
}

}  // namespace sluice::json_parser
