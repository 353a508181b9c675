// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Reads CSV records the way Python's csv.reader does with the default ("excel") dialect and a
// chosen delimiter: quotechar '"', doubled quotes inside quoted fields, quoted fields may span
// lines, no escape character, non-strict (a stray quote inside an unquoted field is data, text
// after a closing quote is appended). The input is consumed line by line at universal line
// endings, as IntelMQ feeds it from io.StringIO(newline='').
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::csv {

struct Record {
    std::vector<std::string> fields;  // empty for a blank line
    size_t begin = 0;                 // the record's text in the input: [begin, end), line endings included
    size_t end = 0;
};

class Reader {
 public:
    Reader(std::string_view text, char delimiter, size_t start = 0) : text_(text), delimiter_(delimiter), pos_(start) {}

    // Reads the next record; false at the end of the input.
    bool next(Record& out);

 private:
    enum class State { start_record, start_field, in_field, in_quoted_field, quote_in_quoted_field, eat_crnl };
    void process(Record& out, int c);  // c < 0: end of a line
    void save_field(Record& out);
    bool split_unquoted_line(Record& out);  // the fast path of next(); false: the line has a quote

    std::string_view text_;
    char delimiter_;
    size_t pos_;
    State state_ = State::start_record;
    std::string field_;
};

// The length of the line that starts at `begin`, its terminator ("\r\n", "\n" or "\r") included;
// 0 at the end of the text.
size_t physical_line_length(std::string_view text, size_t begin);

}  // namespace sluice::csv
