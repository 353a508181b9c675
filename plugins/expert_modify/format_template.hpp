// SPDX-License-Identifier: AGPL-3.0-or-later
// The `then` values of a modify rule are Python format strings, formatted with msg=event and
// matches={field: regex match}: "{msg[malware.name]}", "{matches[feed.url][1]}", "{{literal}}".
// This parses the subset that has a meaning there once, at start, so a typo is refused with the rule
// instead of failing every event.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::modify {

struct TemplatePiece {
    enum class Kind { literal, field, match_group };
    Kind kind = Kind::literal;
    std::string text;           // literal: the text; field / match_group: the field name
    std::string group;          // match_group: the group, a name or digits
    bool group_number = false;  // the group is a number (Python turns digit-only keys into ints)
};

class FormatTemplate {
 public:
    // Parses `text`; throws std::invalid_argument saying what is wrong and where.
    explicit FormatTemplate(std::string_view text);

    const std::vector<TemplatePiece>& pieces() const { return pieces_; }
    // True when the text has no replacement field: the value is used as it is (after {{ }}).
    bool is_literal() const {
        return pieces_.size() <= 1 && (pieces_.empty() || pieces_[0].kind == TemplatePiece::Kind::literal);
    }

 private:
    std::vector<TemplatePiece> pieces_;
};

}  // namespace sluice::modify
