// SPDX-License-Identifier: AGPL-3.0-or-later
#include "format_template.hpp"

#include <algorithm>
#include <stdexcept>

namespace sluice::modify {
namespace {

[[noreturn]] void bad(std::string_view field, const std::string& why) {
    throw std::invalid_argument("replacement field {" + std::string(field) + "}: " + why);
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// One replacement field's inside, "msg[source.ip]" or "matches[feed.url][1]", optionally "!s".
TemplatePiece parse_field(std::string_view field) {
    std::string_view name = field;
    if (const size_t colon = name.find(':'); colon != std::string_view::npos) {
        if (colon + 1 < name.size()) bad(field, "format specifications (after ':') are not supported");
        name = name.substr(0, colon);
    }
    if (const size_t bang = name.find('!'); bang != std::string_view::npos) {
        const std::string_view conversion = name.substr(bang + 1);
        if (conversion != "s") bad(field, "only the !s conversion is supported");
        name = name.substr(0, bang);
    }
    const size_t open = name.find_first_of("[.");
    const std::string_view arg = name.substr(0, open);
    std::vector<std::string_view> indexes;
    for (size_t pos = open; pos != std::string_view::npos && pos < name.size();) {
        if (name[pos] == '.') bad(field, "attribute access ('.') is not supported; use [field]");
        const size_t close = name.find(']', pos);
        if (close == std::string_view::npos) bad(field, "missing ']'");
        indexes.push_back(name.substr(pos + 1, close - pos - 1));
        pos = close + 1;
        if (pos < name.size() && name[pos] != '[' && name[pos] != '.') bad(field, "expected '[' after ']'");
    }
    TemplatePiece piece;
    if (arg == "msg") {
        if (indexes.size() != 1) bad(field, "use {msg[field.name]}");
        if (indexes[0].empty() || all_digits(indexes[0])) bad(field, "msg[...] needs a field name");
        piece.kind = TemplatePiece::Kind::field;
        piece.text = indexes[0];
        return piece;
    }
    if (arg == "matches") {
        if (indexes.size() != 2) bad(field, "use {matches[field.name][group]}");
        if (indexes[0].empty() || indexes[1].empty()) bad(field, "empty [] index");
        piece.kind = TemplatePiece::Kind::match_group;
        piece.text = indexes[0];
        piece.group = indexes[1];
        piece.group_number = all_digits(indexes[1]);
        return piece;
    }
    if (arg.empty() || all_digits(arg)) bad(field, "positional fields are not available; use msg or matches");
    bad(field, "unknown name '" + std::string(arg) + "'; only msg and matches are available");
}

}  // namespace

FormatTemplate::FormatTemplate(std::string_view text) {
    std::string literal;
    const auto flush_literal = [&] {
        if (literal.empty()) return;
        pieces_.push_back(TemplatePiece{TemplatePiece::Kind::literal, std::move(literal), {}, false});
        literal.clear();
    };
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '}') {
            if (i + 1 < text.size() && text[i + 1] == '}') {
                literal += '}';
                ++i;
                continue;
            }
            throw std::invalid_argument("single '}' at offset " + std::to_string(i) + " (write }} for a literal one)");
        }
        if (c != '{') {
            literal += c;
            continue;
        }
        if (i + 1 < text.size() && text[i + 1] == '{') {
            literal += '{';
            ++i;
            continue;
        }
        // Python ends the field at the first '}' outside [ ]; nested fields are not supported.
        size_t end = i + 1;
        bool in_index = false;
        for (; end < text.size(); ++end) {
            if (text[end] == '[') in_index = true;
            if (text[end] == ']') in_index = false;
            if (!in_index && text[end] == '{')
                throw std::invalid_argument("nested replacement fields are not supported");
            if (!in_index && text[end] == '}') break;
        }
        if (end >= text.size())
            throw std::invalid_argument("'{' at offset " + std::to_string(i) +
                                        " is not closed (write {{ for a literal one)");
        flush_literal();
        pieces_.push_back(parse_field(text.substr(i + 1, end - i - 1)));
        i = end;
    }
    flush_literal();
}

}  // namespace sluice::modify
