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
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::csv {

class ReportText {
 public:
    // Takes the decoded report and works in it: the caller moves it in, so one copy is held.
    explicit ReportText(std::string raw);

    const std::string& text() const { return text_; }
    // The line number (1-based) in the original report of the character at `offset` in text().
    size_t line_of(size_t offset) const;
    // The report's line ending as Python's io.StringIO(newline='').newlines reports it, with
    // IntelMQ's fallback: "\r\n" when there is none or when they are mixed.
    const std::string& line_ending() const { return line_ending_; }

 private:
    struct Piece {
        size_t text_begin;     // where the kept line starts in text_
        size_t original_line;  // its line number in the original report
    };
    std::string text_;
    std::vector<Piece> pieces_;
    std::string line_ending_;
};

}  // namespace sluice::csv
