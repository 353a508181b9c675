// SPDX-License-Identifier: AGPL-3.0-or-later
#include "report_text.hpp"

#include <algorithm>
#include <cstring>

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
    if (s.find('\r') == std::string_view::npos) {  // the common case ("\n" or none): no loop needed
        return s.find('\n') == std::string_view::npos ? "\r\n" : "\n";
    }
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

// The kept lines are moved towards the front of the same buffer: the write position never passes
// the read position, so a report is held once, however large (it can be tens of megabytes).
ReportText::ReportText(std::string raw) : text_(std::move(raw)) {
    char* const data = text_.data();
    const size_t size = text_.size();
    size_t line = 1;
    size_t begin = 0;  // the next original line
    size_t kept = 0;   // the end of the kept text, always <= begin
    while (begin < size) {
        const void* nl = std::memchr(data + begin, '\n', size - begin);
        const size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - data) + 1 : size;
        const std::string_view original(data + begin, end - begin);
        // Counted on the original line, before anything is moved over it.
        const size_t breaks = original.find('\r') == std::string_view::npos
                                  ? size_t(nl != nullptr)
                                  : count_line_breaks(original, end < size && data[end] == '\n');

        // The line without its NUL characters, at `kept`.
        const size_t start = kept;
        if (original.find('\0') == std::string_view::npos) {
            if (kept != begin) std::memmove(data + kept, data + begin, original.size());
            kept += original.size();
        } else {
            for (char c : original) {
                if (c != '\0') data[kept++] = c;
            }
        }
        const std::string_view segment(data + start, kept - start);
        const size_t first = std::find_if_not(segment.begin(), segment.end(), is_blank) - segment.begin();
        const std::string_view rest = segment.substr(first);
        const bool comment = !rest.empty() && rest.front() == '#';
        const bool empty = rest.empty() || rest == "\n";
        if (comment || empty) {
            kept = start;
        } else {
            if (first > 0) std::memmove(data + start, rest.data(), rest.size());
            kept = start + rest.size();
            pieces_.push_back(Piece{start, line});
        }
        line += breaks;
        begin = end;
    }
    text_.resize(kept);
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
