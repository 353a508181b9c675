// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/plugin.hpp"

#include <algorithm>

#include <cstdlib>
#include <cstring>
#include <sstream>

namespace sluice {
namespace {

std::string version_text(uint16_t major, uint16_t minor) { return std::to_string(major) + "." + std::to_string(minor); }

}  // namespace

const char* kind_name(uint32_t kind) {
    switch (kind) {
        case SLUICE_KIND_COLLECTOR:
            return "collector";
        case SLUICE_KIND_PARSER:
            return "parser";
        case SLUICE_KIND_EXPERT:
            return "expert";
        case SLUICE_KIND_OUTPUT:
            return "output";
        default:
            return "unknown";
    }
}

Plugin::Plugin(const std::filesystem::path& file) : file_(file) {
    const std::string where = file.string() + ": ";
    try {
        lib_.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        throw PluginError(where + "cannot be loaded: " + e.what());
    }
    if (!lib_.has(SLUICE_BOT_ENTRY_SYMBOL))
        throw PluginError(where + "no symbol " SLUICE_BOT_ENTRY_SYMBOL
                                  " — not a Sluice bot plugin (build it with SLUICE_EXPORT_BOT and sluice_add_bot)");
    auto entry = lib_.get<const sluice_bot_desc*()>(SLUICE_BOT_ENTRY_SYMBOL);
    const sluice_bot_desc* d = entry();
    if (!d) throw PluginError(where + SLUICE_BOT_ENTRY_SYMBOL " returned no descriptor");
    // Read struct_size and the version first: nothing past them is trusted before they are checked.
    if (d->abi_major != SLUICE_ABI_MAJOR)
        throw PluginError(where + "ABI major " + std::to_string(d->abi_major) + " (plugin speaks " +
                          version_text(d->abi_major, d->abi_minor) + "), host speaks " +
                          version_text(SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR) + " — rebuild it against this SDK");
    if (d->struct_size < desc_size_v1_0)
        throw PluginError(where + "descriptor struct_size " + std::to_string(d->struct_size) +
                          " is smaller than the ABI 1.0 layout (" + std::to_string(desc_size_v1_0) +
                          " bytes) — the plugin was not built with this SDK's bot.h");
    // A newer plugin may have a longer struct: copy what this host knows, zero what it lacks.
    std::memcpy(&desc_, d, std::min(d->struct_size, sizeof desc_));
    if (!desc_.name || !*desc_.name) throw PluginError(where + "descriptor has no name");
    const uint32_t k = desc_.kind;
    if (k < SLUICE_KIND_COLLECTOR || k > SLUICE_KIND_OUTPUT)
        throw PluginError(where + "unknown bot kind " + std::to_string(k));
    if (!desc_.create || !desc_.destroy) throw PluginError(where + "create or destroy callback is NULL");
    if (k == SLUICE_KIND_COLLECTOR && !desc_.collect)
        throw PluginError(where + "a collector must provide collect, but it is NULL");
    if (k != SLUICE_KIND_COLLECTOR && !desc_.process)
        throw PluginError(where + "a " + kind_name(k) + " must provide process, but it is NULL");
    if (desc_.param_count && !desc_.params) throw PluginError(where + "param_count > 0 but params is NULL");
    for (size_t i = 0; i < desc_.param_count; ++i)
        if (!desc_.params[i].name) throw PluginError(where + "parameter #" + std::to_string(i) + " has no name");
}

std::vector<std::filesystem::path> plugin_search_path(const std::vector<std::filesystem::path>& extra) {
    std::vector<std::filesystem::path> dirs(extra);
    if (const char* env = std::getenv("SLUICE_PLUGIN_PATH")) {
        std::stringstream ss(env);
        for (std::string item; std::getline(ss, item, ':');)
            if (!item.empty()) dirs.emplace_back(item);
    }
#ifdef SLUICE_DEFAULT_PLUGIN_DIR
    dirs.emplace_back(SLUICE_DEFAULT_PLUGIN_DIR);
#endif
    return dirs;
}

namespace {

// ", did you mean parser_csv?" for a name one or two edits from an installed plugin's.
std::string close_names(const std::string& wanted, const std::vector<std::filesystem::path>& dirs) {
    const auto distance = [](const std::string& a, const std::string& b) {
        std::vector<size_t> row(b.size() + 1);
        for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
        for (size_t i = 1; i <= a.size(); ++i) {
            size_t diagonal = row[0];
            row[0] = i;
            for (size_t j = 1; j <= b.size(); ++j) {
                const size_t up = row[j];
                row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
                diagonal = up;
            }
        }
        return row[b.size()];
    };
    std::string close;
    std::error_code ec;
    for (const auto& d : dirs)
        for (const auto& f : std::filesystem::directory_iterator(d, ec))
            if (f.path().extension() == ".so" && distance(wanted, f.path().stem().string()) <= 2)
                close += (close.empty() ? "" : " or ") + f.path().stem().string();
    return close.empty() ? "" : "; did you mean " + close + "?";
}

}  // namespace

std::filesystem::path find_plugin(const std::string& name_or_path, const std::vector<std::filesystem::path>& dirs) {
    const std::filesystem::path p(name_or_path);
    if (p.has_parent_path() || p.extension() == ".so") {
        if (std::filesystem::exists(p)) return p;
        throw PluginError(name_or_path + ": no such plugin file");
    }
    std::string searched;
    for (const auto& d : dirs) {
        auto candidate = d / (name_or_path + ".so");
        if (std::filesystem::exists(candidate)) return candidate;
        searched += (searched.empty() ? "" : ", ") + d.string();
    }
    throw PluginError(
        "plugin '" + name_or_path + "' not found (searched: " + (searched.empty() ? "nothing" : searched) +
        "); build it, or add its folder to [paths] plugins or $SLUICE_PLUGIN_PATH" + close_names(name_or_path, dirs));
}

}  // namespace sluice
