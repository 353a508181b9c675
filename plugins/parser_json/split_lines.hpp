// SPDX-License-Identifier: AGPL-3.0-or-later
// Python's str.splitlines() on UTF-8 text.
#pragma once

#include <string_view>
#include <vector>

namespace sluice::json_parser {

// The lines of `text` without their terminators. Terminators are Python's: \n, \r\n, \r, \v, \f,
// \x1c, \x1d, \x1e, U+0085, U+2028, U+2029. A final terminator does not start another line.
std::vector<std::string_view> split_lines(std::string_view text);

}  // namespace sluice::json_parser
