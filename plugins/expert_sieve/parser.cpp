// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The grammar, after sieve.tx (textX, PEG: alternatives are tried in order):
//
//   file       := statement*
//   statement  := action | 'if' expr block ('elif' expr block)* ('else' block)?
//   block      := '{' statement* '}'
//   expr       := conj ('||' conj)*
//   conj       := cond ('&&' cond)*
//   cond       := '!'? ( '(' expr ')' | (':exists' | ':notexists') key | key op operand )
//   key        := [a-z0-9_.]+ | $variable
//   action     := 'drop' | 'keep' | 'path' (STRING | '[' STRING (',' STRING)* ']')
//               | ('add' | 'add!' | 'update') key ('=' | '+=' | '-=') value
//               | 'remove' key | ('append' | 'append!') key value | $variable '=' key
//   value      := STRICTFLOAT | INT | BOOL | STRING | $variable
//
// The operator and the kind of operand decide the match, in sieve.tx's order: == and != take a
// string (string match), a number (numeric match) or true/false (boolean match); :in takes a list
// of strings or a list of numbers.
#include "parser.hpp"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <utility>

#include "harmonization_types.hpp"
#include "python_regex.hpp"

namespace sluice::sieve {
namespace {

bool is_key(std::string_view w) {
    if (w.empty()) return false;
    for (const char c : w) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return false;
    }
    return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// textX's INT: [-+]?[0-9]+
bool is_int(std::string_view w) {
    if (!w.empty() && (w.front() == '-' || w.front() == '+')) w.remove_prefix(1);
    if (w.empty()) return false;
    for (const char c : w) {
        if (!is_digit(c)) return false;
    }
    return true;
}

// textX's STRICTFLOAT: [+-]?(((\d+\.(\d*)?|\.\d+)([eE][+-]?\d+)?)|((\d+)([eE][+-]?\d+)))
bool is_strict_float(std::string_view w) {
    if (!w.empty() && (w.front() == '-' || w.front() == '+')) w.remove_prefix(1);
    size_t i = 0;
    size_t before = 0, after = 0;
    while (i < w.size() && is_digit(w[i])) ++i, ++before;
    bool dot = false;
    if (i < w.size() && w[i] == '.') {
        dot = true;
        ++i;
        while (i < w.size() && is_digit(w[i])) ++i, ++after;
    }
    if (before == 0 && after == 0) return false;
    bool exponent = false;
    if (i < w.size() && (w[i] == 'e' || w[i] == 'E')) {
        ++i;
        if (i < w.size() && (w[i] == '+' || w[i] == '-')) ++i;
        size_t n = 0;
        while (i < w.size() && is_digit(w[i])) ++i, ++n;
        if (n == 0) return false;
        exponent = true;
    }
    return i == w.size() && (dot || exponent);
}

bool is_bool(std::string_view w) { return w == "true" || w == "false" || w == "True" || w == "False"; }

struct OpInfo {
    std::string_view text;
    Op op;
};
constexpr std::array<OpInfo, 20> kOperators = {{
    {"==", Op::eq},
    {"!=", Op::ne},
    {":contains", Op::contains},
    {"=~", Op::regex},
    {"!~", Op::not_regex},
    {":in", Op::in},
    {":containsany", Op::containsany},
    {":regexin", Op::regexin},
    {"<", Op::lt},
    {"<=", Op::le},
    {">", Op::gt},
    {">=", Op::ge},
    {"<<", Op::in},  // IP range: Match::ip_range
    {":before", Op::before},
    {":after", Op::after},
    {":equals", Op::equals},
    {":setequals", Op::setequals},
    {":overlaps", Op::overlaps},
    {":subsetof", Op::subsetof},
    {":supersetof", Op::supersetof},
}};

std::string position(Pos p) { return std::to_string(p.line) + ":" + std::to_string(p.col); }

class Parser {
 public:
    Parser(std::string_view source, const std::string& file) : tokens_(tokenize(source)), file_(file) {}

    Program run() {
        Program prog;
        prog.file = file_;
        while (peek().kind != Tok::end) {
            if (is_punct("}")) fail(peek(), "unexpected '}': no block is open");
            prog.statements.push_back(statement());
        }
        prog.warnings = std::move(warnings_);
        return prog;
    }

 private:
    // ---- tokens ----
    const Token& peek(size_t ahead = 0) const {
        const size_t i = std::min(i_ + ahead, tokens_.size() - 1);
        return tokens_[i];
    }
    const Token& take() {
        const Token& t = tokens_[i_];
        if (t.kind == Tok::error) fail(t, t.text);
        if (i_ + 1 < tokens_.size()) ++i_;
        return t;
    }
    bool is_punct(std::string_view p, size_t ahead = 0) const {
        return peek(ahead).kind == Tok::punct && peek(ahead).text == p;
    }
    bool is_word(std::string_view w) const { return peek().kind == Tok::word && peek().text == w; }

    [[noreturn]] void fail(const Token& at, const std::string& what) const {
        if (at.kind == Tok::error) throw ParseError(file_, at.pos, at.text);
        throw ParseError(file_, at.pos, what);
    }
    [[noreturn]] void expected(const std::string& what) const {
        fail(peek(), "expected " + what + ", found " + describe(peek()));
    }
    void expect_punct(std::string_view p, const std::string& what) {
        if (!is_punct(p)) expected(what);
        take();
    }

    // ---- statements ----
    Statement statement() {
        Statement s;
        s.pos = peek().pos;
        if (is_word("if")) {
            s.branching = true;
            branching(s);
        } else if (is_word("elif") || is_word("else")) {
            fail(peek(), "'" + peek().text + "' without a preceding 'if' block");
        } else {
            s.action = action();
        }
        return s;
    }

    void branching(Statement& s) {
        s.clauses.push_back(clause("if"));
        while (is_word("elif")) s.clauses.push_back(clause("elif"));
        if (is_word("else")) {
            Clause c;
            c.pos = take().pos;
            c.body = block("after 'else'");
            s.clauses.push_back(std::move(c));
        }
    }

    Clause clause(std::string_view keyword) {
        Clause c;
        c.pos = take().pos;
        if (is_punct("{")) expected("a condition after '" + std::string(keyword) + "'");
        c.condition = expression();
        c.body = block("after condition");
        return c;
    }

    std::vector<Statement> block(const std::string& where) {
        if (!is_punct("{")) expected("'{' " + where);
        const Pos open = take().pos;
        std::vector<Statement> body;
        while (!is_punct("}")) {
            if (peek().kind == Tok::end) expected("'}' to close the block opened at " + position(open));
            body.push_back(statement());
        }
        take();
        return body;
    }

    // ---- conditions ----
    Expression expression() {
        Expression e;
        e.any_of.push_back(conjunction());
        while (is_punct("||")) {
            take();
            e.any_of.push_back(conjunction());
        }
        return e;
    }

    std::vector<Condition> conjunction() {
        std::vector<Condition> all;
        all.push_back(condition());
        while (is_punct("&&")) {
            take();
            all.push_back(condition());
        }
        return all;
    }

    Condition condition() {
        Condition c;
        c.pos = peek().pos;
        if (is_punct("!")) {
            take();
            c.negated = true;
        }
        if (is_punct("(")) {
            const Pos open = take().pos;
            c.match = Match::group;
            c.group = std::make_unique<Expression>(expression());
            if (!is_punct(")")) expected("')' to close the '(' at " + position(open));
            take();
            return c;
        }
        if (peek().kind == Tok::colon && (peek().text == ":exists" || peek().text == ":notexists")) {
            c.match = Match::exists;
            c.op = take().text == ":exists" ? Op::exists : Op::notexists;
            c.key = key("a key after '" + std::string(c.op == Op::exists ? ":exists" : ":notexists") + "'");
            return c;
        }
        if (peek().kind != Tok::variable && peek().kind != Tok::word)
            expected("a condition (a key, ':exists', ':notexists', '!' or '(')");
        c.key = key("a key");
        const Token& op_tok = peek();
        const OpInfo* info = nullptr;
        if (op_tok.kind == Tok::punct || op_tok.kind == Tok::colon) {
            for (const auto& o : kOperators) {
                if (o.text == op_tok.text) info = &o;
            }
        }
        if (!info) expected("an operator after '" + c.key.name + "'");
        take();
        c.op = info->op;
        operands(c, op_tok);
        return c;
    }

    // The operand(s) of `key <op>`, which also decide what kind of match it is.
    void operands(Condition& c, const Token& op_tok) {
        const std::string op = op_tok.text;
        const Token& t = peek();
        if (op == "==" || op == "!=") {
            if (t.kind == Tok::string || t.kind == Tok::variable) {
                c.match = Match::string_single;
                c.values.push_back(string_operand());
                check_ip_addresses(c);
            } else if (t.kind == Tok::word && (is_strict_float(t.text) || is_int(t.text))) {
                c.match = Match::numeric_single;
                c.values.push_back(value());
                check_numeric_key(c);
            } else if (t.kind == Tok::word && is_bool(t.text)) {
                c.match = Match::boolean;
                c.values.push_back(value());
            } else {
                expected("a string, number, true/false or $variable after '" + op + "'");
            }
        } else if (op == ":contains" || op == "=~" || op == "!~") {
            c.match = Match::string_single;
            c.op = op == ":contains" ? Op::contains : op == "=~" ? Op::regex : Op::not_regex;
            if (t.kind != Tok::string && t.kind != Tok::variable) expected("a string or $variable after '" + op + "'");
            c.values.push_back(string_operand(c.op != Op::contains));
        } else if (op == ":in" || op == ":containsany" || op == ":regexin") {
            multi(c, op);
        } else if (op == "<" || op == "<=" || op == ">" || op == ">=") {
            c.match = Match::numeric_single;
            if (!(t.kind == Tok::variable || (t.kind == Tok::word && (is_strict_float(t.text) || is_int(t.text)))))
                expected("a number or $variable after '" + op + "'");
            c.values.push_back(value());
            check_numeric_key(c);
        } else if (op == "<<") {
            c.match = Match::ip_range;
            ip_ranges(c);
        } else if (op == ":before" || op == ":after") {
            c.match = Match::date;
            if (t.kind != Tok::string && t.kind != Tok::variable)
                expected("a date or a relative time ('2023-06-01', '1 week') after '" + op + "'");
            Operand v = string_operand();
            if (!v.is_variable()) {
                const std::string text(v.literal.GetString(), v.literal.GetStringLength());
                v.time = parse_time_spec(text);
                if (!v.time)
                    warnings_.push_back(file_ + ":" + position(v.pos) + ": '" + text +
                                        "' is neither a date nor a relative time such as '2 days'; the "
                                        "condition fails when it is evaluated");
            }
            c.values.push_back(std::move(v));
        } else {
            c.match = Match::list;
            if (!is_punct("[")) expected("a list ['a', 1, true] after '" + op + "'");
            const Pos open = take().pos;
            if (!is_punct("]")) {
                c.values.push_back(value());
                while (is_punct(",")) {
                    take();
                    c.values.push_back(value());
                }
            }
            if (!is_punct("]")) expected("',' or ']' to close the list opened at " + position(open));
            take();
        }
    }

    // :in, :containsany, :regexin: a non-empty list of strings (or, for :in, of numbers).
    void multi(Condition& c, const std::string& op) {
        c.op = op == ":in" ? Op::in : op == ":containsany" ? Op::containsany : Op::regexin;
        if (!is_punct("[")) expected("a list ['a', 'b'] after '" + op + "'");
        const Pos open = take().pos;
        if (is_punct("]")) expected("at least one value in the list after '" + op + "'");
        bool strings = true, numbers = op == ":in";
        for (;;) {
            const Token& t = peek();
            if (t.kind == Tok::string) {
                numbers = false;
            } else if (t.kind == Tok::word && (is_strict_float(t.text) || is_int(t.text))) {
                strings = false;
            } else if (t.kind != Tok::variable) {
                expected(std::string(op == ":in" ? "a string, number" : "a string") + " or $variable in the list");
            }
            if (!strings && !numbers)
                fail(t, op == ":in" ? "a list after ':in' holds either strings or numbers, not both"
                                    : "expected a string or $variable in the list, found " + describe(t));
            c.values.push_back(c.op == Op::regexin ? string_operand(true) : value());
            if (!is_punct(",")) break;
            take();
        }
        if (!is_punct("]")) expected("',' or ']' to close the list opened at " + position(open));
        take();
        c.match = strings ? Match::string_multi : Match::numeric_multi;
        if (c.match == Match::string_multi) {
            if (c.op == Op::in) check_ip_addresses(c);
        } else {
            check_numeric_key(c);
        }
    }

    void ip_ranges(Condition& c) {
        const auto one = [&] {
            const Token& t = peek();
            if (t.kind != Tok::string) expected("an IP network such as '192.0.2.0/24' in quotes");
            take();
            const auto net = parse_ip_network(t.text);
            if (!net) fail(t, "Invalid ip range: " + t.text + ".");
            c.networks.push_back(*net);
        };
        if (is_punct("[")) {
            const Pos open = take().pos;
            one();
            while (is_punct(",")) {
                take();
                one();
            }
            if (!is_punct("]")) expected("',' or ']' to close the list opened at " + position(open));
            take();
        } else {
            one();
        }
    }

    // ---- checks IntelMQ makes when it loads the file ----
    void check_numeric_key(const Condition& c) const {
        if (c.key.variable) return;
        const Pos at = c.values.front().pos;
        const auto type = event_key_type(c.key.name);
        if (!type)
            throw ParseError(file_, at,
                             "Invalid key: " + c.key.name +
                                 ". Numeric comparisons need a key of type Integer, "
                                 "Float, Accuracy or ASN");
        if (!is_numeric_type(*type))
            throw ParseError(file_, at,
                             "Incompatible type: " + std::string(*type) +
                                 ". Numeric comparisons need a key of type "
                                 "Integer, Float, Accuracy or ASN, and '" +
                                 c.key.name + "' is not one");
    }

    void check_ip_addresses(const Condition& c) const {
        if (c.key.variable || (c.op != Op::eq && c.op != Op::ne && c.op != Op::in)) return;
        const auto type = event_key_type(c.key.name);
        if (!type || *type != "IPAddress") return;
        for (const auto& v : c.values) {
            if (v.is_variable()) continue;
            const std::string_view text(v.literal.GetString(), v.literal.GetStringLength());
            if (!parse_ip_address(text))
                throw ParseError(file_, v.pos, "Invalid IP address: " + std::string(text) + ".");
        }
    }

    // ---- operands ----
    KeyRef key(const std::string& what) {
        const Token& t = peek();
        if (t.kind == Tok::variable) {
            take();
            return KeyRef{t.pos, t.text, true};
        }
        if (t.kind != Tok::word || !is_key(t.text)) {
            if (t.kind == Tok::word)
                fail(t, "invalid key '" + t.text + "': keys are lowercase letters, digits, '_' and '.'");
            expected(what);
        }
        take();
        return KeyRef{t.pos, t.text, false};
    }

    // A STRING or $variable; `pattern`: a regular expression to compile now.
    Operand string_operand(bool pattern = false) {
        const Token& t = take();
        Operand v;
        v.pos = t.pos;
        if (t.kind == Tok::variable) {
            v.variable = t.text;
            return v;
        }
        v.literal.SetString(t.text.data(), static_cast<rapidjson::SizeType>(t.text.size()), v.literal.GetAllocator());
        if (pattern) {
            try {
                v.regex = PythonRegex::compile(t.text);
            } catch (const std::exception& e) {
                fail(t, "invalid regular expression " + std::string(t.raw) + ": " + e.what());
            }
            if (!v.regex->fallback_reason().empty())
                warnings_.push_back(file_ + ":" + position(t.pos) + ": the regular expression " + std::string(t.raw) +
                                    " is not RE2 syntax (" + v.regex->fallback_reason() +
                                    "); it runs with std::regex, which is slower");
        }
        return v;
    }

    // TypedValue: STRICTFLOAT | INT | BOOL | STRING | $variable.
    Operand value() {
        const Token& t = peek();
        Operand v;
        v.pos = t.pos;
        if (t.kind == Tok::string || t.kind == Tok::variable) return string_operand();
        if (t.kind != Tok::word) expected("a value (a string, number, true/false or $variable)");
        if (is_strict_float(t.text)) {
            v.literal.SetDouble(std::strtod(t.text.c_str(), nullptr));
        } else if (is_int(t.text)) {
            errno = 0;
            const long long n = std::strtoll(t.text.c_str(), nullptr, 10);
            if (errno == ERANGE) {
                v.literal.SetDouble(std::strtod(t.text.c_str(), nullptr));
            } else {
                v.literal.SetInt64(n);
            }
        } else if (is_bool(t.text)) {
            v.literal.SetBool(t.text == "true" || t.text == "True");
        } else {
            expected("a value (a string, number, true/false or $variable)");
        }
        take();
        return v;
    }

    // ---- actions ----
    Action action() {
        Action a;
        const Token& t = peek();
        a.pos = t.pos;
        if (t.kind == Tok::variable) {
            a.kind = ActionKind::set_variable;
            a.variable = take().text;
            expect_punct("=", "'=' after '" + a.variable + "'");
            if (peek().kind == Tok::variable) expected("a key (not a variable) after '" + a.variable + " ='");
            a.key = key("a key after '" + a.variable + " ='");
            return a;
        }
        if (t.kind != Tok::word) {
            if (t.kind == Tok::error) fail(t, t.text);
            expected(
                "an action (drop, keep, path, add, add!, update, remove, append, append!, $variable = key) "
                "or 'if'");
        }
        const std::string w = t.text;
        if (w == "drop" || w == "keep") {
            take();
            a.kind = w == "drop" ? ActionKind::drop : ActionKind::keep;
        } else if (w == "path") {
            take();
            a.kind = ActionKind::path;
            const auto one = [&] {
                if (peek().kind != Tok::string) expected("a path name in quotes after 'path'");
                a.paths.push_back(take().text);
            };
            if (is_punct("[")) {
                const Pos open = take().pos;
                one();
                while (is_punct(",")) {
                    take();
                    one();
                }
                if (!is_punct("]")) expected("',' or ']' to close the list opened at " + position(open));
                take();
            } else {
                one();
            }
        } else if (w == "add" || w == "add!" || w == "update") {
            take();
            a.kind = w == "add" ? ActionKind::add : w == "add!" ? ActionKind::add_force : ActionKind::update;
            a.key = key("a key after '" + w + "'");
            if (is_punct("=")) {
                a.assign = Assign::set;
            } else if (is_punct("+=") || is_punct("-=")) {
                a.assign = peek().text == "+=" ? Assign::add : Assign::subtract;
            } else {
                expected("'=', '+=' or '-=' after '" + w + " " + a.key.name + "'");
            }
            take();
            if (a.assign == Assign::set) {
                a.value = value();
            } else {
                const Token& s = peek();
                if (s.kind == Tok::string) {
                    a.span = parse_relative(s.text);
                    if (!a.span) expected("a relative time such as '1 hour' or '2 days'");
                } else if (s.kind != Tok::variable) {
                    expected("a relative time such as '1 hour' or '2 days'");
                }
                a.value = string_operand();
            }
        } else if (w == "remove") {
            take();
            a.kind = ActionKind::remove;
            a.key = key("a key after 'remove'");
        } else if (w == "append" || w == "append!") {
            take();
            a.kind = w == "append" ? ActionKind::append : ActionKind::append_force;
            a.key = key("a key after '" + w + "'");
            a.value = value();
        } else {
            fail(t, "unknown action '" + w +
                        "' (expected drop, keep, path, add, add!, update, remove, append, append!, "
                        "$variable = key, or 'if')");
        }
        return a;
    }

    std::vector<Token> tokens_;
    size_t i_ = 0;
    std::string file_;
    std::vector<std::string> warnings_;
};

}  // namespace

ParseError::ParseError(const std::string& file, Pos p, const std::string& what)
    : std::runtime_error(file + ":" + position(p) + ": " + what), pos(p) {}

Program parse_rules(std::string_view source, const std::string& file) { return Parser(source, file).run(); }

}  // namespace sluice::sieve
