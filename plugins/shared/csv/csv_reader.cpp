// SPDX-License-Identifier: AGPL-3.0-or-later
#include "csv_reader.hpp"

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

bool Reader::next(Record& out) {
    out.fields.clear();
    out.begin = pos_;
    field_.clear();
    state_ = State::start_record;
    if (pos_ >= text_.size()) return false;
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
