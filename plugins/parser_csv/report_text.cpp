// SPDX-License-Identifier: AGPL-3.0-or-later
#include "report_text.hpp"

#include <algorithm>
#include <cstring>

namespace sluice::csv {
namespace {

// Base64 characters decoded at a time, and the prepared text a window holds at least: small next to
// a huge report, large enough that the per-window work does not show.
constexpr size_t kDecodeChars = 16 * 1024;
constexpr size_t kWindowBytes = 32 * 1024;
// A report up to this size decoded is read whole at once: one pass, no window to move.
constexpr size_t kWholeReportBytes = 1024 * 1024;

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

// The line endings seen in text fed piece by piece, as io.StringIO(newline='').newlines sees them.
class LineEndings {
 public:
    void feed(std::string_view s) {
        if (!cr_pending_ && std::memchr(s.data(), '\r', s.size()) == nullptr) {  // the common case
            lf_ = lf_ || std::memchr(s.data(), '\n', s.size()) != nullptr;
            return;
        }
        for (char c : s) {
            if (cr_pending_) {
                cr_pending_ = false;
                if (c == '\n') {
                    crlf_ = true;
                    continue;
                }
                cr_ = true;
            }
            if (c == '\n') lf_ = true;
            if (c == '\r') cr_pending_ = true;
        }
    }
    std::string result() const {
        const bool cr = cr_ || cr_pending_;
        if (int(lf_) + int(cr) + int(crlf_) != 1) return "\r\n";  // none, or mixed: the csv module's default
        return lf_ ? "\n" : cr ? "\r" : "\r\n";
    }

 private:
    bool lf_ = false, cr_ = false, crlf_ = false, cr_pending_ = false;
};

// Whether the decoded report holds a '\r' anywhere: without one, its line ending is known from the
// first window. This pass also refuses bad base64 before any row is read.
bool has_carriage_return(std::string_view raw_base64) {
    base64::Decoder decoder(raw_base64);
    std::string decoded;
    bool found = false;
    while (!decoder.done()) {
        decoded.clear();
        decoder.next(decoded, kDecodeChars);
        found = found || std::memchr(decoded.data(), '\r', decoded.size()) != nullptr;
    }
    return found;
}

}  // namespace

void PreparedLines::read(std::string& out, size_t min_size, std::vector<Piece>* pieces) {
    while (!done_ && out.size() < min_size) {
        const char* const data = pending_.data();
        if (const void* nl = std::memchr(data + pending_pos_, '\n', pending_.size() - pending_pos_)) {
            const size_t end = static_cast<size_t>(static_cast<const char*>(nl) - data) + 1;
            prepare(std::string_view(data + pending_pos_, end - pending_pos_), out, pieces);
            pending_pos_ = end;
        } else if (!decoder_.done()) {
            pending_.erase(0, pending_pos_);  // the start of a line, moved down before more is decoded
            pending_pos_ = 0;
            decoder_.next(pending_, kDecodeChars);
        } else {
            if (pending_pos_ < pending_.size())  // the last line, without a line break
                prepare(std::string_view(pending_).substr(pending_pos_), out, pieces);
            pending_ = std::string();
            pending_pos_ = 0;
            done_ = true;
        }
    }
}

// One original line (with its '\n', but for the last): appended to `out` without its NULs and
// leading blanks, unless it is a comment or left empty.
void PreparedLines::prepare(std::string_view original, std::string& out, std::vector<Piece>* pieces) {
    const size_t breaks = original.find('\r') == std::string_view::npos ? size_t(original.back() == '\n')
                                                                        : count_line_breaks(original, false);
    const size_t start = out.size();
    if (original.find('\0') == std::string_view::npos) {
        out.append(original);
    } else {
        for (char c : original) {
            if (c != '\0') out += c;
        }
    }
    const std::string_view segment = std::string_view(out).substr(start);
    const size_t first =
        static_cast<size_t>(std::find_if_not(segment.begin(), segment.end(), is_blank) - segment.begin());
    const std::string_view rest = segment.substr(first);
    const bool comment = !rest.empty() && rest.front() == '#';
    const bool empty = rest.empty() || rest == "\n";
    if (comment || empty) {
        out.resize(start);
    } else {
        if (first > 0) out.erase(start, first);
        if (pieces) pieces->push_back(Piece{start, line_});
    }
    line_ += breaks;
}

ReportText::ReportText(std::string_view raw_base64) : lines_(raw_base64) {
    LineEndings endings;
    if (raw_base64.size() / 4 * 3 <= kWholeReportBytes) {
        text_.reserve(raw_base64.size() / 4 * 3);  // at most the decoded size: no regrowth
        lines_.read(text_, std::string::npos, &pieces_);
        endings.feed(text_);
        line_ending_ = endings.result();
        return;
    }
    const bool any_cr = has_carriage_return(raw_base64);
    if (any_cr) {  // the line endings of the prepared text, which one pass through it tells
        PreparedLines scan(raw_base64);
        std::string prepared;
        while (!scan.done()) {
            prepared.clear();
            scan.read(prepared, kWindowBytes, nullptr);
            endings.feed(prepared);
        }
        line_ending_ = endings.result();
    }
    advance(0);
    // Without '\r', the ending is "\n" if any kept line ends with one. Every kept line but the
    // report's last does, so a first window without '\n' is the report's last line, or nothing.
    if (!any_cr) line_ending_ = text_.find('\n') == std::string::npos ? "\r\n" : "\n";
}

void ReportText::advance(size_t keep_from) {
    keep_from = std::min(keep_from, text_.size());
    // The kept line the window now starts in begins where the window does, at the line it has
    // reached by then: line_of stays the same for every offset kept.
    auto it = std::upper_bound(pieces_.begin(), pieces_.end(), keep_from,
                               [](size_t off, const Piece& p) { return off < p.text_begin; });
    if (it != pieces_.begin()) {
        --it;
        if (keep_from == text_.size()) {
            ++it;  // all of it is dropped
        } else if (it->text_begin < keep_from) {
            const std::string_view before = std::string_view(text_).substr(it->text_begin, keep_from - it->text_begin);
            it->original_line += count_line_breaks(before, text_[keep_from] == '\n');
            it->text_begin = keep_from;
        }
        pieces_.erase(pieces_.begin(), it);
    }
    for (Piece& p : pieces_) p.text_begin -= keep_from;
    text_.erase(0, keep_from);
    lines_.read(text_, std::max(kWindowBytes, 2 * text_.size()), &pieces_);
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
