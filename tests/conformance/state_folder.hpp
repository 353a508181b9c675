// SPDX-License-Identifier: AGPL-3.0-or-later
// A case's precondition on a bot's persistent state (README.md: "the deduplicator case needs a hash
// already in its cache: cache_preseed.json"). Bots that keep state between runs get a fresh folder
// of their own for every case, so a case never reads what another left behind; when the case has a
// cache_preseed.json, its entries are written there in the bot's own file format before the run.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "case_folder.hpp"

namespace sluice::conformance {

class StateFolder {
 public:
    // For a plugin that keeps state: makes the folder, writes the case's preseed into it and points
    // the plugin's state parameter there (in `parameters_json`). For other plugins: nothing, but a
    // case with a preseed for such a plugin throws CaseError (it cannot be set up).
    StateFolder(const Case& c, std::string_view plugin, std::string& parameters_json);
    ~StateFolder();  // removes the folder
    StateFolder(const StateFolder&) = delete;
    StateFolder& operator=(const StateFolder&) = delete;

    bool used() const { return !folder_.empty(); }
    const std::string& note() const { return note_; }

 private:
    std::filesystem::path folder_;
    std::string note_;  // what was preseeded, for the runner's output
};

}  // namespace sluice::conformance
