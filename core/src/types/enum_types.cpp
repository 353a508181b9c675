// SPDX-License-Identifier: AGPL-3.0-or-later
// ClassificationType, ClassificationTaxonomy, Registry and TLP: closed value lists, with IntelMQ's
// legacy names mapped to the current ones.
#include <algorithm>

#include "types/classification_tables.hpp"
#include "types/field_types.hpp"
#include "types/text_util.hpp"

namespace sluice::types {
namespace {

bool contains(const std::vector<std::string_view>& list, std::string_view v) {
    return std::find(list.begin(), list.end(), v) != list.end();
}

std::string_view mapped(const std::vector<std::pair<std::string_view, std::string_view>>& map, std::string_view v) {
    for (const auto& [from, to] : map)
        if (from == v) return to;
    return v;
}

}  // namespace

bool ClassificationType::is_valid(std::string_view v) const { return contains(tables::classification_types, v); }
bool ClassificationType::sanitize(std::string_view v, std::string& out) const {
    const std::string folded = text::lower(text::trim(v));
    out.assign(mapped(tables::legacy_types, folded));
    return true;
}

bool ClassificationTaxonomy::is_valid(std::string_view v) const {
    return contains(tables::classification_taxonomies, v);
}
bool ClassificationTaxonomy::sanitize(std::string_view v, std::string& out) const {
    const std::string folded = text::lower(text::trim(v));
    out.assign(mapped(tables::legacy_taxonomies, folded));
    return true;
}

bool Registry::is_valid(std::string_view v) const { return contains(tables::registries, v); }
bool Registry::sanitize(std::string_view v, std::string& out) const {
    const std::string folded = text::upper(text::trim(v));
    out.assign(mapped(tables::registry_aliases, folded));
    return true;
}

bool TLP::is_valid(std::string_view v) const { return contains(tables::tlp_levels, v); }
// IntelMQ: upper-case, strip, drop /^(TLP:?)?\s*/, YELLOW is AMBER.
bool TLP::sanitize(std::string_view v, std::string& out) const {
    std::string_view s = text::py_strip(v);
    if (text::starts_with_i(s, "TLP")) {
        s.remove_prefix(3);
        if (!s.empty() && s.front() == ':') s.remove_prefix(1);
        while (!s.empty() && text::is_space(s.front())) s.remove_prefix(1);
    }
    out = text::upper(s);
    if (out == "YELLOW") out = "AMBER";
    return !out.empty();
}

}  // namespace sluice::types
