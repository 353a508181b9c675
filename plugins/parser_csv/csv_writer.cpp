// SPDX-License-Identifier: AGPL-3.0-or-later
#include "csv_writer.hpp"

namespace sluice::csv {

std::string write_row(const std::vector<std::string>& fields, std::string_view line_terminator) {
    std::string out;
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) out += ',';
        const std::string& f = fields[i];
        const bool quote = f.find_first_of(",\"\r\n") != std::string::npos;
        if (!quote) {
            out += f;
            continue;
        }
        out += '"';
        for (char c : f) {
            if (c == '"') out += '"';
            out += c;
        }
        out += '"';
    }
    if (fields.size() == 1 && fields[0].empty()) out = "\"\"";
    out += line_terminator;
    return out;
}

}  // namespace sluice::csv
