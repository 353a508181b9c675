// SPDX-License-Identifier: AGPL-3.0-or-later
#include "python_regex.hpp"

#include <string>

namespace sluice::sieve {

std::regex compile_python_regex(std::string_view p) {
    auto flags = std::regex::ECMAScript;
    // Global inline flags, which Python allows only at the start: (?i), (?m), (?im), ...
    if (p.starts_with("(?")) {
        size_t k = 2;
        while (k < p.size() && std::string_view("aiLmsux").find(p[k]) != std::string_view::npos) ++k;
        if (k > 2 && k < p.size() && p[k] == ')') {
            for (const char f : p.substr(2, k - 2)) {
                if (f == 'i') {
                    flags |= std::regex::icase;
                } else if (f == 'm') {
                    flags |= std::regex::multiline;
                } else if (f != 'a' && f != 'u') {
                    throw std::invalid_argument(std::string("the inline flag (?") + f + ") is not supported");
                }
            }
            p.remove_prefix(k + 1);
        }
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

}  // namespace sluice::sieve
