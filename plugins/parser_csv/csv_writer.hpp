// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Writes one CSV row as Python's csv.writer does with the default ("excel") dialect and IntelMQ's
// `raw` recovery settings: comma delimiter, quotechar '"', doubled quotes, QUOTE_MINIMAL (a field
// is quoted when it holds the delimiter, a quote or a line-ending character), the given line
// terminator appended. A row of one empty field is written as "" so it is not read back as a blank
// line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::csv {

std::string write_row(const std::vector<std::string>& fields, std::string_view line_terminator);
// The same row appended to `out`, which can be reused from row to row.
void append_row(std::string& out, const std::vector<std::string>& fields, std::string_view line_terminator);

}  // namespace sluice::csv
