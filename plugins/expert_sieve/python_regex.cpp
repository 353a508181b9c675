// SPDX-License-Identifier: AGPL-3.0-or-later
#include "python_regex.hpp"

#include <re2/re2.h>

namespace sluice::sieve {
namespace {

// Python's global inline flags, allowed only at the start: "(?im)" gives "im" and the rest of the
// pattern; nothing when the pattern does not start with such a group.
struct LeadingFlags {
    std::string_view flags;
    std::string_view rest;
};
std::optional<LeadingFlags> leading_flags(std::string_view p) {
    if (!p.starts_with("(?")) return std::nullopt;
    size_t k = 2;
    while (k < p.size() && std::string_view("aiLmsux").find(p[k]) != std::string_view::npos) ++k;
    if (k == 2 || k >= p.size() || p[k] != ')') return std::nullopt;
    return LeadingFlags{p.substr(2, k - 2), p.substr(k + 1)};
}

// RE2 syntax: \Z becomes \z; (?a) and (?u) are dropped (Python 3's str patterns are Unicode
// already and RE2's \w, \d, \s are ASCII either way). The rest RE2 reads as Python does.
std::string to_re2(std::string_view p) {
    std::string out;
    out.reserve(p.size() + 8);
    if (const auto lead = leading_flags(p)) {
        std::string keep;
        for (const char f : lead->flags) {
            if (f == 'a' || f == 'u') continue;
            if (f == 'L' || f == 'x')
                throw std::invalid_argument(std::string("the inline flag (?") + f + ") is not supported");
            keep += f;
        }
        if (!keep.empty()) out += "(?" + keep + ")";
        p = lead->rest;
    }
    bool in_class = false;
    for (size_t i = 0; i < p.size(); ++i) {
        const char c = p[i];
        if (c == '\\' && i + 1 < p.size()) {
            const char n = p[++i];
            out += c;
            out += (!in_class && n == 'Z') ? 'z' : n;
            continue;
        }
        if (c == '[' && !in_class) {
            in_class = true;
            out += c;
            if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
            if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];  // a ']' first in a class is literal
            continue;
        }
        if (c == ']') in_class = false;
        out += c;
    }
    return out;
}

// The pre-RE2 translation to ECMAScript, for what RE2 cannot take.
std::regex to_ecmascript(std::string_view p) {
    auto flags = std::regex::ECMAScript;
    if (const auto lead = leading_flags(p)) {
        for (const char f : lead->flags) {
            if (f == 'i') {
                flags |= std::regex::icase;
            } else if (f == 'm') {
                flags |= std::regex::multiline;
            } else if (f != 'a' && f != 'u') {
                throw std::invalid_argument(std::string("the inline flag (?") + f + ") is not supported");
            }
        }
        p = lead->rest;
    }
    std::string out;
    out.reserve(p.size());
    bool in_class = false;
    for (size_t i = 0; i < p.size(); ++i) {
        const char c = p[i];
        if (c == '\\' && i + 1 < p.size()) {
            const char n = p[++i];
            if (!in_class && n == 'A') {
                out += '^';
            } else if (!in_class && n == 'Z') {
                out += '$';
            } else {
                out += c;
                out += n;
            }
            continue;
        }
        if (in_class) {
            if (c == ']') in_class = false;
            out += c;
            continue;
        }
        if (c == '[') {
            in_class = true;
            out += c;
            if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
            if (i + 1 < p.size() && p[i + 1] == ']') {  // Python: a ']' first in a class is literal
                out += "\\]";
                ++i;
            }
            continue;
        }
        if (c == '(' && p.substr(i).starts_with("(?P<")) {
            const size_t close = p.find('>', i);
            if (close == std::string_view::npos) throw std::invalid_argument("unterminated group name");
            out += '(';
            i = close;
            continue;
        }
        if (c == '(' && p.substr(i).starts_with("(?P=")) throw std::invalid_argument("(?P=name) is not supported");
        if (c == '(' && (p.substr(i).starts_with("(?<=") || p.substr(i).starts_with("(?<!")))
            throw std::invalid_argument("lookbehind (?<=...) is not supported");
        out += c;
    }
    try {
        return std::regex(out, flags);
    } catch (const std::regex_error& e) {
        throw std::invalid_argument(e.what());
    }
}

}  // namespace

PythonRegex::PythonRegex(PythonRegex&&) noexcept = default;
PythonRegex& PythonRegex::operator=(PythonRegex&&) noexcept = default;
PythonRegex::~PythonRegex() = default;

PythonRegex PythonRegex::compile(std::string_view pattern) {
    PythonRegex r;
    std::string re2_error;
    try {
        RE2::Options options;
        options.set_log_errors(false);  // the reason goes into our own message instead of stderr
        auto re = std::make_unique<const RE2>(to_re2(pattern), options);
        if (re->ok()) {
            r.re2_ = std::move(re);
            return r;
        }
        re2_error = re->error();
    } catch (const std::invalid_argument& e) {
        re2_error = e.what();
    }
    try {
        r.ecmascript_ = to_ecmascript(pattern);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(re2_error + " (RE2), " + e.what() + " (std::regex)");
    }
    r.fallback_reason_ = re2_error;
    return r;
}

bool PythonRegex::search(std::string_view text) const {
    if (re2_) return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re2_);
    return std::regex_search(text.begin(), text.end(), *ecmascript_);
}

}  // namespace sluice::sieve
