// SPDX-License-Identifier: AGPL-3.0-or-later
// Every plugin's README carries the parameter table generated from the plugin itself, so the docs
// say what the host validates. Regenerate with `sluicectl docs <plugin>` when a table changes.
#include <doctest/doctest.h>

#include "sluice/core/params.hpp"
#include "sluice/core/plugin.hpp"
#include "test_support.hpp"

TEST_CASE("each built plugin's README holds its generated parameter table") {
    int checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(sluice::test::plugin_dir())) {
        if (entry.path().extension() != ".so") continue;
        sluice::Plugin plugin(entry.path());
        if (plugin.desc().param_count == 0) continue;
        const auto readme = sluice::test::source_dir() / "plugins" / plugin.name() / "README.md";
        REQUIRE_MESSAGE(std::filesystem::exists(readme), readme.string());
        const std::string table = sluice::param_table_markdown(plugin.desc());
        CHECK_MESSAGE(sluice::test::read_file(readme).find(table) != std::string::npos,
                      readme.string() << " lacks the table `sluicectl docs " << plugin.name() << "` prints:\n"
                                      << table);
        ++checked;
    }
    CHECK(checked >= 5);
}
