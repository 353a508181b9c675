// SPDX-License-Identifier: AGPL-3.0-or-later
// Python `re` patterns (what IntelMQ's sieve uses), searched as Python's re.search does.
//
// A pattern is compiled with RE2 (linear time, no recursion) after translating the Python-only
// spellings RE2 lacks: \Z (RE2's \z), and the inline flags (?a) and (?u), which only say what
// Python's default already is for the text sieve sees. RE2 itself reads (?P<name>...), \A and
// leading or scoped (?i), (?m), (?s).
//
// What RE2 cannot take — backreferences (\1), lookahead (?=...) / (?!...), repetitions above 1000 —
// falls back to std::regex (ECMAScript, as before RE2), which is slower and recursive, so the
// rule file keeps working; PythonRegex::fallback_reason() says why, for a warning at start.
// What neither takes — lookbehind, (?P=name), (?x), (?L) — is refused with both reasons.
#pragma once

#include <memory>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace sluice::sieve {

class PythonRegex {
 public:
    // Throws std::invalid_argument saying why the pattern cannot be used.
    static PythonRegex compile(std::string_view pattern);

    PythonRegex(PythonRegex&&) noexcept;
    PythonRegex& operator=(PythonRegex&&) noexcept;
    ~PythonRegex();

    // Python's re.search(pattern, text) is not None.
    bool search(std::string_view text) const;

    // Empty when RE2 runs the pattern; else what RE2 said about it (std::regex runs it).
    const std::string& fallback_reason() const { return fallback_reason_; }

 private:
    PythonRegex() = default;
    std::unique_ptr<const re2::RE2> re2_;
    std::optional<std::regex> ecmascript_;
    std::string fallback_reason_;
};

}  // namespace sluice::sieve
