// SPDX-License-Identifier: AGPL-3.0-or-later
#include "csv_reader.hpp"

#include <algorithm>

namespace sluice::csv {
namespace {
constexpr int kEndOfLine = -1;
constexpr char kQuote = '"';
bool is_newline(int c) { return c == '\n' || c == '\r'; }
}  // namespace

void Reader::save_field(Record& out) {
    out.fields.push_back(std::move(field_));
    field_.clear();
}

// One step of CPython's Modules/_csv.c parse_process_char, for the states the excel dialect uses.
void Reader::process(Record& out, int c) {
    const bool eol = c == kEndOfLine;
    switch (state_) {
        case State::start_record:
            if (eol) return;  // a blank line: an empty record
            if (is_newline(c)) {
                state_ = State::eat_crnl;
                return;
            }
            state_ = State::start_field;
            [[fallthrough]];
        case State::start_field:
            if (eol || is_newline(c)) {
                save_field(out);
                state_ = eol ? State::start_record : State::eat_crnl;
            } else if (c == kQuote) {
                state_ = State::in_quoted_field;
            } else if (c == delimiter_) {
                save_field(out);
            } else {
                field_ += char(c);
                state_ = State::in_field;
            }
            return;
        case State::in_field:
            if (eol || is_newline(c)) {
                save_field(out);
                state_ = eol ? State::start_record : State::eat_crnl;
            } else if (c == delimiter_) {
                save_field(out);
                state_ = State::start_field;
            } else {
                field_ += char(c);
            }
            return;
        case State::in_quoted_field:
            if (eol) return;  // the line ending itself was already added as data
            if (c == kQuote) {
                state_ = State::quote_in_quoted_field;
            } else {
                field_ += char(c);
            }
            return;
        case State::quote_in_quoted_field:
            if (c == kQuote) {  // a doubled quote
                field_ += kQuote;
                state_ = State::in_quoted_field;
            } else if (c == delimiter_) {
                save_field(out);
                state_ = State::start_field;
            } else if (eol || is_newline(c)) {
                save_field(out);
                state_ = eol ? State::start_record : State::eat_crnl;
            } else {  // not strict: text after the closing quote joins the field
                field_ += char(c);
                state_ = State::in_field;
            }
            return;
        case State::eat_crnl:
            if (eol) state_ = State::start_record;
            return;  // lines end at their terminator, so nothing else can follow it here
    }
}

// A line without a quote character is one record whose fields lie between the delimiters: the
// state machine would step through it character by character to the same result. Most lines of
// most feeds are like this; the fields' strings are reused from the previous record.
bool Reader::split_unquoted_line(Record& out) {
    const size_t len = physical_line_length(text_, pos_);
    const std::string_view line = text_.substr(pos_, len);
    if (line.find(kQuote) != std::string_view::npos) return false;
    std::string_view content = line;
    while (!content.empty() && is_newline(content.back())) content.remove_suffix(1);
    size_t n = 0;
    if (!content.empty()) {
        for (size_t begin = 0;; ++n) {
            const size_t end = std::min(content.find(delimiter_, begin), content.size());
            if (n == out.fields.size()) out.fields.emplace_back();
            out.fields[n].assign(content.data() + begin, end - begin);
            if (end == content.size()) break;
            begin = end + 1;
        }
        ++n;
    }
    out.fields.resize(n);
    pos_ += len;
    out.end = pos_;
    return true;
}

bool Reader::next(Record& out) {
    out.begin = pos_;
    if (pos_ >= text_.size()) {
        out.fields.clear();
        return false;
    }
    if (split_unquoted_line(out)) return true;
    out.fields.clear();
    field_.clear();
    state_ = State::start_record;
    do {
        const size_t len = physical_line_length(text_, pos_);
        if (len == 0) {  // end of input inside a quoted field: keep what was read, as Python does
            if (!field_.empty() || state_ == State::in_quoted_field) save_field(out);
            break;
        }
        for (size_t i = pos_; i < pos_ + len; ++i) process(out, static_cast<unsigned char>(text_[i]));
        pos_ += len;
        process(out, kEndOfLine);
    } while (state_ != State::start_record);
    out.end = pos_;
    return true;
}

size_t physical_line_length(std::string_view text, size_t begin) {
    for (size_t i = begin; i < text.size(); ++i) {
        if (text[i] == '\n') return i + 1 - begin;
        if (text[i] == '\r') {
            if (i + 1 < text.size() && text[i + 1] == '\n') return i + 2 - begin;
            return i + 1 - begin;
        }
    }
    return text.size() - begin;
}

}  // namespace sluice::csv
