// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Prepares a report's decoded text for CSV reading exactly as IntelMQ's generic CSV parser does
// before it hands the text to Python's csv module:
//   - NUL characters are removed;
//   - comment lines (first character other than space/tab is '#') are removed;
//   - leading spaces/tabs are removed from every line, and lines left empty are removed.
// Lines here are split at '\n' (Python's `re` multiline `^`), as IntelMQ's regular expressions do.
// The result remembers where each kept line came from, so errors can name the line of the original
// report, and which line ending the report uses (IntelMQ re-serialises `raw` with it).
//
// A report can be tens of megabytes, and the host already holds it once as base64: it is decoded
// and prepared piece by piece, and the bot holds a window of the prepared text, never all of it.
#pragma once

#include <sluice/codec.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::csv {

// A kept line: where it starts in the prepared text held, and its line number in the report.
struct Piece {
    size_t text_begin;
    size_t original_line;  // 1-based
};

// The report's base64 decoded and prepared a few lines at a time.
class PreparedLines {
 public:
    // Refers to `raw_base64`, which must outlive this. Throws base64::DecodeError for a length
    // that is not base64's; bad characters are refused (the same way) when they are reached.
    explicit PreparedLines(std::string_view raw_base64) : decoder_(raw_base64) {}

    // Appends the next prepared lines to `out` until it holds `min_size` bytes or the report ends,
    // noting each kept line in `pieces` (if given) with its offset in `out`. Whole lines only: what
    // is appended ends with '\n', unless it is the end of the report.
    void read(std::string& out, size_t min_size, std::vector<Piece>* pieces);
    // Everything was read.
    bool done() const { return done_; }

 private:
    void prepare(std::string_view original, std::string& out, std::vector<Piece>* pieces);

    base64::Decoder decoder_;
    std::string pending_;  // decoded, from pending_pos_ not yet prepared
    size_t pending_pos_ = 0;
    size_t line_ = 1;  // of the next original line
    bool done_ = false;
};

// The prepared report as a window that moves through it.
class ReportText {
 public:
    // Refers to `raw_base64`, which must outlive this. A report up to a megabyte decoded is read
    // whole; a larger one is read through once first, to check its base64 and to find its line
    // ending, and then holds its first window. Either way a bad report is refused before any row
    // is read: throws base64::DecodeError.
    explicit ReportText(std::string_view raw_base64);

    // The window: whole prepared lines, from the first not yet dropped.
    const std::string& text() const { return text_; }
    // The window reaches the end of the report.
    bool complete() const { return lines_.done(); }
    // Drops the window's text before `keep_from`, then reads on until it holds a window's worth
    // (and at least twice what was kept, so a record longer than a window is read in a few steps),
    // or the report ends. Offsets in text() move down by `keep_from`.
    void advance(size_t keep_from);

    // The line number (1-based) in the original report of the character at `offset` in text().
    size_t line_of(size_t offset) const;
    // The report's line ending as Python's io.StringIO(newline='').newlines reports it, with
    // IntelMQ's fallback: "\r\n" when there is none or when they are mixed.
    const std::string& line_ending() const { return line_ending_; }

 private:
    PreparedLines lines_;
    std::string text_;
    std::vector<Piece> pieces_;  // the kept lines in text_, and the one text_ starts in
    std::string line_ending_;
};

}  // namespace sluice::csv
