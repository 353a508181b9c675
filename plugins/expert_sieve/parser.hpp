// SPDX-License-Identifier: AGPL-3.0-or-later
// The sieve rule language (IntelMQ's sieve.tx) by recursive descent, into the tree of ast.hpp.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "ast.hpp"

namespace sluice::sieve {

// A mistake in a rule file: what() is "<file>:<line>:<col>: <what was expected or is wrong>".
struct ParseError : std::runtime_error {
    ParseError(const std::string& file, Pos p, const std::string& what);
    Pos pos;
};

// Parses and checks `source` (the text of `file`). Besides the grammar, checks what IntelMQ checks
// when it loads the file: IP networks, IP addresses compared with IP address keys, numeric
// comparisons only on numeric keys; and compiles regular expressions.
Program parse_rules(std::string_view source, const std::string& file);

}  // namespace sluice::sieve
