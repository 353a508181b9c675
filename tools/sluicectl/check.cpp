// SPDX-License-Identifier: AGPL-3.0-or-later
#include "check.hpp"

#include <algorithm>
#include <iostream>

#include "sluice/core/harmonization.hpp"
#include "sluice/core/message.hpp"
#include "sluice/core/params.hpp"
#include "sluice/core/plugin.hpp"
#include "transport_factory.hpp"

namespace sluice::ctl {

namespace {

// The paths in a bot's `to` its plugin never emits to (it declares them since ABI 1.1): a
// misspelt `_defualt` would otherwise pass and every message fail at run time.
std::vector<std::string> undeclared_paths(const sluice_bot_desc& desc, const BotConfig& b) {
    if (!desc.paths) return {};  // a 1.0 plugin: not declared, anything goes
    std::vector<std::string> declared{"_default"};
    for (const char* const* p = desc.paths; *p; ++p) {
        if (std::string_view(*p) == "*") return {};  // its parameters name the rest
        declared.emplace_back(*p);
    }
    std::vector<std::string> problems;
    for (const auto& [path, targets] : b.paths) {
        if (path == "_on_error" || std::find(declared.begin(), declared.end(), path) != declared.end()) continue;
        std::string known;
        for (const auto& d : declared) known += (known.empty() ? "" : ", ") + d;
        problems.push_back("path '" + path + "' is not one " + std::string(desc.name) + " emits to (it emits to " +
                           known + ", and the host to _on_error)");
    }
    return problems;
}

}  // namespace

std::vector<std::string> check_config(const std::string& file, Config& cfg, std::map<std::string, CheckedBot>& bots) {
    std::vector<std::string> errors;
    cfg = load_config(file, errors);
    if (!errors.empty()) return errors;
    try {
        (void)load_harmonization(cfg);
    } catch (const std::exception& e) {
        errors.push_back(e.what());
    }
    const auto dirs = plugin_search_path(cfg.plugin_path);
    for (const auto& [id, b] : cfg.bots) {
        if (b.remote) continue;  // runs elsewhere: that machine's `sluicectl check` looks at it
        try {
            Plugin plugin(find_plugin(b.plugin, dirs));
            bots[id] = CheckedBot{plugin.desc().kind, plugin.file().string()};
            std::vector<std::string> param_errors;
            (void)validate_params(plugin.desc(), b.parameters_json, param_errors);
            for (const auto& e : param_errors) errors.push_back("bots." + id + ": " + e);
            for (const auto& e : undeclared_paths(plugin.desc(), b)) errors.push_back("bots." + id + ".to: " + e);
            const uint32_t kind = plugin.desc().kind;
            if (kind != SLUICE_KIND_OUTPUT && b.paths.empty() && b.enabled)
                errors.push_back("bots." + id + ": a " + std::string(kind_name(kind)) +
                                 " sends its messages nowhere: add to = [\"<bot id>\"]");
        } catch (const std::exception& e) {
            errors.push_back("bots." + id + ": " + e.what());
        }
    }
    for (const auto& [id, b] : cfg.bots)
        for (const auto& [path, targets] : b.paths)
            for (const auto& t : targets) {
                auto it = bots.find(t.bot);
                if (it != bots.end() && it->second.kind == SLUICE_KIND_COLLECTOR)
                    errors.push_back("bots." + id + ".to." + path + ": '" + t.bot +
                                     "' is a collector; collectors have no input");
            }
    // Only once everything local is right: a broker probe costs up to connect_timeout.
    if (errors.empty())
        for (auto& problem : make_transport_factory()->check(cfg)) errors.push_back(std::move(problem));
    return errors;
}

std::optional<Config> load_or_report(const std::string& file) {
    std::vector<std::string> errors;
    Config cfg = load_config(file, errors);
    for (const auto& e : errors) std::cerr << e << "\n";
    if (!errors.empty()) return std::nullopt;
    return cfg;
}

Config load_or_throw(const std::string& file) {
    std::vector<std::string> errors;
    Config cfg = load_config(file, errors);
    if (!errors.empty()) {
        std::string all;
        for (const auto& e : errors) all += (all.empty() ? "" : "\n") + e;
        throw std::runtime_error(all);
    }
    return cfg;
}

std::vector<std::string> disabled_bots_waiting(const Config& cfg, TransportFactory& transports) {
    std::vector<std::string> warnings;
    for (const auto& [id, b] : cfg.bots) {
        if (b.enabled || b.remote) continue;
        for (const auto& transport : cfg.input_transports(id)) {
            try {
                const QueueStats q = transports.stats(cfg, id, transport);
                if (q.records == 0) continue;
                warnings.push_back("bot '" + id + "' is disabled and " + std::to_string(q.records) +
                                   " records wait in its input (" + transport +
                                   "); they stay there until it runs again (sluicectl enable " + id + ")");
            } catch (const std::exception&) {
                // A broker that does not answer: check reports that as a problem of its own.
            }
        }
    }
    return warnings;
}

int run_check(const std::string& file, bool json) {
    Config cfg;
    std::map<std::string, CheckedBot> bots;
    const auto errors = check_config(file, cfg, bots);
    const auto warnings =
        errors.empty() ? disabled_bots_waiting(cfg, *make_transport_factory()) : std::vector<std::string>{};
    if (json) {
        std::cout << "{\"ok\":" << (errors.empty() ? "true" : "false") << ",\"problems\":" << json_string_array(errors)
                  << ",\"warnings\":" << json_string_array(warnings) << "}\n";
    } else if (errors.empty()) {
        for (const auto& w : warnings) std::cout << "warning: " << w << "\n";
        size_t edges = 0;
        for (const auto& [id, b] : cfg.bots)
            for (const auto& [p, t] : b.paths) edges += t.size();
        std::cout << file << ": OK — " << cfg.bots.size() << " bots, " << edges << " edges\n";
    } else {
        for (const auto& e : errors) std::cout << e << "\n";
        std::cout << errors.size() << " problem" << (errors.size() == 1 ? "" : "s") << " found\n";
    }
    return errors.empty() ? 0 : 1;
}

}  // namespace sluice::ctl
