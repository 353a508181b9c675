// SPDX-License-Identifier: AGPL-3.0-or-later
//
// A `compose_fields` template: IntelMQ fills it with Python's str.format(*row), so "{0}{1}" joins
// the first two columns of the row. Supported: positional fields "{N}", automatic numbering "{}",
// and the escapes "{{" and "}}". Conversions, format specs and attribute/index access are refused
// when the template is compiled, so a bad template stops the bot at start, not on every line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::csv {

class ComposeTemplate {
 public:
    // Throws std::invalid_argument naming the problem.
    explicit ComposeTemplate(std::string_view tmpl);
    // Throws std::out_of_range when the template names a column the row does not have.
    std::string render(const std::vector<std::string>& row) const;

 private:
    struct Part {
        std::string literal;  // text before the field
        size_t index;         // the row column, or npos for trailing text
    };
    std::vector<Part> parts_;
};

}  // namespace sluice::csv
