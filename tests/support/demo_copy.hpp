// SPDX-License-Identifier: AGPL-3.0-or-later
// A private copy of the shipped demo configuration (conf/) in a temporary folder, and sluicectl
// run against it: tests change and run the demo without touching the repository's var/.
#pragma once

#include <filesystem>
#include <string>

#include "test_support.hpp"

namespace sluice::test {

struct DemoCopy {
    TempDir dir;
    std::filesystem::path config;
    DemoCopy() : config(dir / "conf" / "sluice.toml") {
        std::filesystem::copy(source_dir() / "conf", dir / "conf", std::filesystem::copy_options::recursive);
    }
    CommandResult ctl(const std::string& args) const {
        return run_command(sluicectl() + " --config " + config.string() + " " + args);
    }
    std::filesystem::path dump(const std::string& bot) const { return dir / "var" / "dump" / (bot + ".jsonl"); }
};

}  // namespace sluice::test
