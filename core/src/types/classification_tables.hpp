// SPDX-License-Identifier: AGPL-3.0-or-later
// IntelMQ's fixed value lists for ClassificationType, ClassificationTaxonomy, Registry and TLP.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace sluice::tables {
extern const std::vector<std::string_view> classification_types;
extern const std::vector<std::string_view> classification_taxonomies;
extern const std::vector<std::pair<std::string_view, std::string_view>> type_to_taxonomy;
extern const std::vector<std::pair<std::string_view, std::string_view>> legacy_types;
extern const std::vector<std::pair<std::string_view, std::string_view>> legacy_taxonomies;
extern const std::vector<std::string_view> registries;
extern const std::vector<std::pair<std::string_view, std::string_view>> registry_aliases;
extern const std::vector<std::string_view> tlp_levels;
}  // namespace sluice::tables
