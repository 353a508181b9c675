// SPDX-License-Identifier: AGPL-3.0-or-later
// Splits a sieve rule file into tokens, each with its line and column. Whitespace and comments
// ('#' or '//' to the end of the line, as sieve.tx's Comment rule) separate tokens.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::sieve {

struct Pos {
    int line = 1;
    int col = 1;
};

enum class Tok {
    end,       // end of the file
    error,     // a character that starts no token; `text` says what is wrong
    word,      // [A-Za-z0-9_.]+ (keys, keywords, numbers, booleans), "add!", "append!", numbers with a sign
    variable,  // $name
    string,    // '...' or "..."; `text` is the value (\' and \" unescaped, as textX does)
    colon,     // :word (":exists", ":in", ...); `text` includes the colon
    punct,     // { } ( ) [ ] , && || == != =~ !~ <= >= << < > = += -= !
};

struct Token {
    Tok kind = Tok::end;
    std::string text;
    std::string_view raw;  // the token as written (for messages)
    Pos pos;
};

// All tokens up to and including the end (or the first error) token.
std::vector<Token> tokenize(std::string_view source);

// A token as a message shows it: 'if', "a string", end of file.
std::string describe(const Token& t);

}  // namespace sluice::sieve
