// SPDX-License-Identifier: AGPL-3.0-or-later
#include "csv_writer.hpp"

namespace sluice::csv {
namespace {

// QUOTE_MINIMAL's test, one pass over the field (find_first_of calls memchr once per character).
bool needs_quotes(std::string_view f) {
    for (const char c : f) {
        if (c == ',' || c == '"' || c == '\r' || c == '\n') return true;
    }
    return false;
}

}  // namespace

void append_row(std::string& out, const std::vector<std::string>& fields, std::string_view line_terminator) {
    if (fields.size() == 1 && fields[0].empty()) {
        out += "\"\"";
        out += line_terminator;
        return;
    }
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) out += ',';
        const std::string& f = fields[i];
        if (!needs_quotes(f)) {
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
    out += line_terminator;
}

std::string write_row(const std::vector<std::string>& fields, std::string_view line_terminator) {
    std::string out;
    append_row(out, fields, line_terminator);
    return out;
}

}  // namespace sluice::csv
