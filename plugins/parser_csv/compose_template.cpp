// SPDX-License-Identifier: AGPL-3.0-or-later
#include "compose_template.hpp"

#include <stdexcept>

namespace sluice::csv {

ComposeTemplate::ComposeTemplate(std::string_view tmpl) {
    std::string literal;
    size_t auto_index = 0;
    bool used_auto = false, used_manual = false;
    for (size_t i = 0; i < tmpl.size(); ++i) {
        const char c = tmpl[i];
        if (c == '}') {
            if (i + 1 < tmpl.size() && tmpl[i + 1] == '}') {
                literal += '}';
                ++i;
                continue;
            }
            throw std::invalid_argument("single '}' encountered in format string");
        }
        if (c != '{') {
            literal += c;
            continue;
        }
        if (i + 1 < tmpl.size() && tmpl[i + 1] == '{') {
            literal += '{';
            ++i;
            continue;
        }
        const size_t close = tmpl.find('}', i);
        if (close == std::string_view::npos) throw std::invalid_argument("single '{' encountered in format string");
        const std::string_view field = tmpl.substr(i + 1, close - i - 1);
        size_t index = 0;
        if (field.empty()) {
            used_auto = true;
            index = auto_index++;
        } else if (field.find_first_not_of("0123456789") == std::string_view::npos) {
            used_manual = true;
            index = std::stoul(std::string(field));
        } else {
            throw std::invalid_argument("unsupported replacement field '{" + std::string(field) +
                                        "}': only {N} and {} are supported");
        }
        if (used_auto && used_manual) {
            throw std::invalid_argument("cannot switch from automatic field numbering to manual field specification");
        }
        parts_.push_back(Part{std::move(literal), index});
        literal.clear();
        i = close;
    }
    parts_.push_back(Part{std::move(literal), std::string::npos});
}

std::string ComposeTemplate::render(const std::vector<std::string>& row) const {
    std::string out;
    for (const Part& p : parts_) {
        out += p.literal;
        if (p.index == std::string::npos) continue;
        if (p.index >= row.size()) {
            throw std::out_of_range("replacement index " + std::to_string(p.index) + " out of range for a row of " +
                                    std::to_string(row.size()) + " fields");
        }
        out += row[p.index];
    }
    return out;
}

}  // namespace sluice::csv
