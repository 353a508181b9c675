// SPDX-License-Identifier: AGPL-3.0-or-later
// Python `re` patterns (what IntelMQ's sieve uses) compiled as std::regex (ECMAScript). Most
// patterns mean the same in both; the Python-only spellings are translated: leading inline flags
// (?i) and (?m), named groups (?P<name>...), \A and \Z. What has no ECMAScript equivalent —
// lookbehind, (?P=name), (?s), (?x) — is refused with a reason.
#pragma once

#include <regex>
#include <stdexcept>
#include <string_view>

namespace sluice::sieve {

// Throws std::invalid_argument saying why the pattern cannot be used.
std::regex compile_python_regex(std::string_view pattern);

}  // namespace sluice::sieve
