// SPDX-License-Identifier: AGPL-3.0-or-later
#include "bots.hpp"

#include <filesystem>
#include <iostream>
#include <set>

#include "sluice/core/config.hpp"
#include "sluice/core/message.hpp"
#include "sluice/core/params.hpp"
#include "sluice/core/plugin.hpp"

namespace sluice::ctl {
namespace {

// The plugin folders of a configuration (or the default ones when it cannot be read).
std::vector<std::filesystem::path> search_path(const std::string& config) {
    std::vector<std::string> errors;
    Config cfg = std::filesystem::exists(config) ? load_config(config, errors) : Config{};
    return plugin_search_path(errors.empty() ? cfg.plugin_path : std::vector<std::filesystem::path>{});
}

}  // namespace

int run_list_bots(const std::string& config, bool json) {
    std::set<std::string> seen;
    std::string out = "[";
    int problems = 0;
    for (const auto& dir : search_path(config)) {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
            if (entry.path().extension() != ".so" || !seen.insert(entry.path().stem().string()).second) continue;
            try {
                Plugin p(entry.path());
                const auto& d = p.desc();
                if (json) {
                    if (out.size() > 1) out += ',';
                    out += "{\"name\":";
                    append_json_string(out, p.name());
                    out += ",\"kind\":";
                    append_json_string(out, kind_name(d.kind));
                    out += ",\"version\":";
                    append_json_string(out, d.version ? d.version : "");
                    out += ",\"description\":";
                    append_json_string(out, d.description ? d.description : "");
                    out += ",\"file\":";
                    append_json_string(out, entry.path().string());
                    out += ",\"parameters\":[";
                    for (size_t i = 0; i < d.param_count; ++i) {
                        const auto& prm = d.params[i];
                        if (i) out += ',';
                        out += "{\"name\":";
                        append_json_string(out, prm.name);
                        out += ",\"type\":";
                        append_json_string(out, param_type_name(prm.type));
                        out += ",\"required\":" + std::string(prm.required ? "true" : "false") + ",\"default\":";
                        out += prm.default_value ? prm.default_value : "null";
                        out += ",\"help\":";
                        append_json_string(out, prm.help ? prm.help : "");
                        out += "}";
                    }
                    out += "]}";
                } else {
                    std::cout << p.name() << " (" << kind_name(d.kind) << " " << (d.version ? d.version : "") << ")  "
                              << (d.description ? d.description : "") << "\n";
                    for (size_t i = 0; i < d.param_count; ++i)
                        std::cout << "    " << d.params[i].name << ": " << param_type_name(d.params[i].type)
                                  << (d.params[i].required ? ", required" : "") << "\n";
                }
            } catch (const std::exception& e) {
                ++problems;
                std::cerr << e.what() << "\n";
            }
        }
    }
    if (json) std::cout << out << "]\n";
    return problems ? 1 : 0;
}

int run_docs(const std::string& config, const std::string& plugin) {
    Plugin p(find_plugin(plugin, search_path(config)));
    std::cout << param_table_markdown(p.desc());
    return 0;
}

}  // namespace sluice::ctl
