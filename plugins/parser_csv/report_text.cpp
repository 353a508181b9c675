// SPDX-License-Identifier: AGPL-3.0-or-later
#include "report_text.hpp"

#include <algorithm>

namespace sluice::csv {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Line breaks in `s` by universal newlines, where a '\r' as the last character counts only when
// the text after it does not start with '\n' (`followed_by_lf`).
size_t count_line_breaks(std::string_view s, bool followed_by_lf) {
    size_t n = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\n') {
            ++n;
        } else if (s[i] == '\r') {
            const bool lf_next = i + 1 < s.size() ? s[i + 1] == '\n' : followed_by_lf;
            if (!lf_next) ++n;
        }
    }
    return n;
}

std::string detect_line_ending(std::string_view s) {
    bool lf = false, cr = false, crlf = false;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\n') {
            lf = true;
        } else if (s[i] == '\r') {
            if (i + 1 < s.size() && s[i + 1] == '\n') {
                crlf = true;
                ++i;
            } else {
                cr = true;
            }
        }
    }
    if (int(lf) + int(cr) + int(crlf) != 1) return "\r\n";  // none, or mixed: the csv module's default
    return lf ? "\n" : cr ? "\r" : "\r\n";
}

}  // namespace

ReportText::ReportText(std::string_view raw) {
    text_.reserve(raw.size());
    size_t line = 1;
    size_t begin = 0;
    std::string segment;
    while (begin < raw.size()) {
        const size_t nl = raw.find('\n', begin);
        const size_t end = nl == std::string_view::npos ? raw.size() : nl + 1;
        const std::string_view original = raw.substr(begin, end - begin);

        segment.clear();
        for (char c : original) {
            if (c != '\0') segment += c;
        }
        const size_t first = std::find_if_not(segment.begin(), segment.end(), is_blank) - segment.begin();
        const std::string_view rest = std::string_view(segment).substr(first);
        const bool comment = !rest.empty() && rest.front() == '#';
        const bool empty = rest.empty() || rest == "\n";
        if (!comment && !empty) {
            pieces_.push_back(Piece{text_.size(), line});
            text_.append(rest);
        }
        line += count_line_breaks(original, end < raw.size() && raw[end] == '\n');
        begin = end;
    }
    line_ending_ = detect_line_ending(text_);
}

size_t ReportText::line_of(size_t offset) const {
    auto it = std::upper_bound(pieces_.begin(), pieces_.end(), offset,
                               [](size_t off, const Piece& p) { return off < p.text_begin; });
    if (it == pieces_.begin()) return 1;
    --it;
    const std::string_view before = std::string_view(text_).substr(it->text_begin, offset - it->text_begin);
    return it->original_line + count_line_breaks(before, offset < text_.size() && text_[offset] == '\n');
}

}  // namespace sluice::csv
