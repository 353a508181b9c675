// SPDX-License-Identifier: AGPL-3.0-or-later
#include "query_fields.hpp"

namespace sluice::collector_http_push {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string decode(std::string_view piece) {
    std::string out;
    out.reserve(piece.size());
    for (size_t i = 0; i < piece.size(); ++i) {
        const char c = piece[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%') {
            const int hi = i + 2 < piece.size() ? hex_value(piece[i + 1]) : -1;
            const int lo = hi >= 0 ? hex_value(piece[i + 2]) : -1;
            if (lo < 0)
                throw QueryError("query parameter '" + std::string(piece) + "': '%' is not followed by two hex digits");
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> report_fields_of(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> fields;
    while (!query.empty()) {
        const size_t amp = query.find('&');
        const std::string_view piece = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (piece.empty()) continue;
        const size_t eq = piece.find('=');
        if (eq == std::string_view::npos)
            throw QueryError("query parameter '" + std::string(piece) + "' has no value (write key=value)");
        std::string key = decode(piece.substr(0, eq));
        if (!key.starts_with("feed.") && !key.starts_with("extra."))
            throw QueryError("query parameter '" + key +
                             "' is not a report field the sender may set (only feed.* and extra.*)");
        fields.emplace_back(std::move(key), decode(piece.substr(eq + 1)));
    }
    return fields;
}

}  // namespace sluice::collector_http_push
