// SPDX-License-Identifier: AGPL-3.0-or-later
#include "lexer.hpp"

#include <array>

namespace sluice::sieve {
namespace {

bool is_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_var_char(char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_'; }

// Operators, longest first so "<<" wins over "<".
constexpr std::array<std::string_view, 22> kPunct = {"&&", "||", "==", "!=", "=~", "!~", "<=", ">=", "<<", "+=", "-=",
                                                     "<",  ">",  "=",  "!",  "{",  "}",  "(",  ")",  "[",  "]",  ","};

class Lexer {
 public:
    explicit Lexer(std::string_view src) : src_(src) {}

    std::vector<Token> run() {
        std::vector<Token> out;
        for (;;) {
            skip_blanks();
            Token t = next();
            const Tok kind = t.kind;
            out.push_back(std::move(t));
            if (kind == Tok::end || kind == Tok::error) return out;
        }
    }

 private:
    char peek(size_t ahead = 0) const { return i_ + ahead < src_.size() ? src_[i_ + ahead] : '\0'; }
    bool at_end() const { return i_ >= src_.size(); }

    void advance() {
        const char c = src_[i_++];
        if (c == '\n') {
            ++pos_.line;
            pos_.col = 1;
        } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
            ++pos_.col;  // columns count characters, not UTF-8 continuation bytes
        }
    }

    void skip_blanks() {
        while (!at_end()) {
            const char c = peek();
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
                advance();
            } else if (c == '#' || (c == '/' && peek(1) == '/')) {
                while (!at_end() && peek() != '\n') advance();
            } else {
                return;
            }
        }
    }

    Token make(Tok kind, size_t start, Pos pos, std::string text) const {
        return Token{kind, std::move(text), src_.substr(start, i_ - start), pos};
    }

    Token next() {
        const Pos pos = pos_;
        const size_t start = i_;
        if (at_end()) return Token{Tok::end, {}, {}, pos};
        const char c = peek();
        if (c == '\'' || c == '"') return string(start, pos);
        if (c == '$') {
            advance();
            if (!is_var_char(peek()))
                return error(pos, "expected a variable name after '$' (lowercase letters, digits, '_')");
            while (is_var_char(peek())) advance();
            return make(Tok::variable, start, pos, std::string(src_.substr(start, i_ - start)));
        }
        if (c == ':' && is_word_char(peek(1))) {
            advance();
            while (is_word_char(peek())) advance();
            return make(Tok::colon, start, pos, std::string(src_.substr(start, i_ - start)));
        }
        // A number with a sign: "-5", "+1.5", "-.5".
        if ((c == '-' || c == '+') && (is_digit(peek(1)) || (peek(1) == '.' && is_digit(peek(2))))) {
            advance();
            return word(start, pos);
        }
        if (is_word_char(c)) return word(start, pos);
        for (const auto op : kPunct) {
            if (src_.substr(i_).starts_with(op)) {
                for (size_t k = 0; k < op.size(); ++k) advance();
                return make(Tok::punct, start, pos, std::string(op));
            }
        }
        if (c == '&' || c == '|') return error(pos, std::string("expected '") + c + c + "'");
        if (c == '/' && peek(1) == '*')
            return error(pos, "'/* */' comments are not part of the sieve language; use '#' or '//'");
        return error(pos, "unexpected character '" + std::string(1, c) + "'");
    }

    Token word(size_t start, Pos pos) {
        while (!at_end()) {
            const char c = peek();
            if (is_word_char(c)) {
                advance();
            } else if ((c == '-' || c == '+') && exponent_sign(start)) {
                advance();  // 1e-5
            } else {
                break;
            }
        }
        std::string text(src_.substr(start, i_ - start));
        if ((text == "add" || text == "append") && peek() == '!') {
            advance();
            text += '!';
        }
        return make(Tok::word, start, pos, std::move(text));
    }

    // Whether the word so far is a number's mantissa followed by 'e': a sign may follow.
    bool exponent_sign(size_t start) const {
        std::string_view w = src_.substr(start, i_ - start);
        if (w.size() < 2 || (w.back() != 'e' && w.back() != 'E')) return false;
        w.remove_suffix(1);
        if (w.front() == '-' || w.front() == '+') w.remove_prefix(1);
        bool digit = false;
        for (const char c : w) {
            if (is_digit(c)) {
                digit = true;
            } else if (c != '.') {
                return false;
            }
        }
        return digit;
    }

    // textX's STRING: "(\\"|[^"])*" or '(\\'|[^'])*', then \" and \' are unescaped; every other
    // backslash stays as written (so regular expressions need no doubling).
    Token string(size_t start, Pos pos) {
        const char quote = peek();
        advance();
        std::string value;
        for (;;) {
            if (at_end()) return error(pos, "unterminated string: missing closing " + std::string(1, quote));
            const char c = peek();
            if (c == '\\' && peek(1) == quote) {
                advance();
                advance();
                value += quote;
                continue;
            }
            advance();
            if (c == quote) break;
            value += c;
        }
        // textX replaces both escapes in every string, whichever quote it uses.
        const char other = quote == '\'' ? '"' : '\'';
        std::string out;
        out.reserve(value.size());
        for (size_t k = 0; k < value.size(); ++k) {
            if (value[k] == '\\' && k + 1 < value.size() && value[k + 1] == other) continue;
            out += value[k];
        }
        return make(Tok::string, start, pos, std::move(out));
    }

    Token error(Pos pos, std::string what) const { return Token{Tok::error, std::move(what), {}, pos}; }

    std::string_view src_;
    size_t i_ = 0;
    Pos pos_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) { return Lexer(source).run(); }

std::string describe(const Token& t) {
    switch (t.kind) {
        case Tok::end:
            return "end of file";
        case Tok::error:
            return t.text;
        case Tok::string:
            return "string " + std::string(t.raw);
        default:
            return "'" + std::string(t.raw) + "'";
    }
}

}  // namespace sluice::sieve
