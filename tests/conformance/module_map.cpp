// SPDX-License-Identifier: AGPL-3.0-or-later
#include "module_map.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace sluice::conformance {
namespace {

// IntelMQ module -> Sluice plugin, sorted by module. One entry per line: tests/conformance/CMakeLists.txt
// reads this table too, to make each case's test depend on its plugin's target.
constexpr std::pair<std::string_view, std::string_view> kModules[] = {
    {"intelmq.bots.collectors.file.collector_file", "collector_file"},
    {"intelmq.bots.experts.deduplicator.expert", "expert_deduplicator"},
    {"intelmq.bots.experts.field_reducer.expert", "expert_field_reducer"},
    {"intelmq.bots.experts.filter.expert", "expert_filter"},
    {"intelmq.bots.experts.modify.expert", "expert_modify"},
    {"intelmq.bots.experts.sieve.expert", "expert_sieve"},
    {"intelmq.bots.experts.taxonomy.expert", "expert_taxonomy"},
    {"intelmq.bots.experts.url.expert", "expert_url"},
    {"intelmq.bots.experts.url2fqdn.expert", "expert_url2fqdn"},
    {"intelmq.bots.outputs.file.output", "output_file"},
    {"intelmq.bots.parsers.abusech.parser_feodotracker", "parser_abusech_feodotracker"},
    {"intelmq.bots.parsers.generic.parser_csv", "parser_csv"},
    {"intelmq.bots.parsers.json.parser", "parser_json"},
    {"intelmq.bots.parsers.shadowserver.parser", "parser_shadowserver"},
    {"intelmq.bots.parsers.spamhaus.parser_drop", "parser_spamhaus_drop"},
};

static_assert(std::is_sorted(std::begin(kModules), std::end(kModules)));

}  // namespace

std::optional<std::string_view> plugin_for_module(std::string_view module) {
    const auto* it = std::lower_bound(std::begin(kModules), std::end(kModules), module,
                                      [](const auto& row, std::string_view m) { return row.first < m; });
    if (it == std::end(kModules) || it->first != module) return std::nullopt;
    return it->second;
}

}  // namespace sluice::conformance
