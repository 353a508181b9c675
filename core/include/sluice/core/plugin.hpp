// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Loading a bot plugin (.so) with Boost.DLL and checking it against the ABI rules of bot.h before
// anything of it runs. Every refusal says which file and why, and what to do about it.
#pragma once

#include <sluice/bot.h>

#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice {

struct PluginError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Plugin {
 public:
    // Loads and checks `file`. Throws PluginError naming the file and the reason.
    explicit Plugin(const std::filesystem::path& file);

    const sluice_bot_desc& desc() const { return desc_; }
    const std::filesystem::path& file() const { return file_; }
    std::string name() const { return desc_.name ? desc_.name : ""; }

 private:
    std::filesystem::path file_;
    boost::dll::shared_library lib_;  // keeps the code mapped as long as desc_ points into it
    sluice_bot_desc desc_{};          // the plugin's descriptor, zero-extended to the host's layout
};

// The size of the 1.0 descriptor: a plugin's struct_size may not be smaller.
inline constexpr size_t desc_size_v1_0 = offsetof(sluice_bot_desc, destroy) + sizeof(void (*)(void*));

// Where plugins are looked for: extra dirs first (from the configuration), then $SLUICE_PLUGIN_PATH
// (colon-separated), then the build's plugin folder.
std::vector<std::filesystem::path> plugin_search_path(const std::vector<std::filesystem::path>& extra = {});
// A plugin name ("parser_csv") or a path to a .so → the file to load. Throws PluginError listing the
// folders searched when nothing is found.
std::filesystem::path find_plugin(const std::string& name_or_path, const std::vector<std::filesystem::path>& dirs);

const char* kind_name(uint32_t kind);

}  // namespace sluice
