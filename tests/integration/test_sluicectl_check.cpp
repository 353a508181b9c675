// SPDX-License-Identifier: AGPL-3.0-or-later
// `sluicectl check` refuses a bad configuration with one clear line per problem and a non-zero exit.
#include <doctest/doctest.h>

#include "test_support.hpp"

using sluice::test::run_command;
using sluice::test::sluicectl;
using sluice::test::TempDir;

namespace {

std::string config_with(const std::string& bots) {
    return sluice::test::test_paths() + "plugins = [\"" + (sluice::test::build_dir() / "tests" / "fixtures").string() +
           "\"]\n" + bots;
}

}  // namespace

TEST_CASE("check accepts the demo configuration") {
    auto r = run_command(sluicectl() + " --config " + (sluice::test::source_dir() / "conf" / "sluice.toml").string() +
                         " check");
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("OK — 8 bots") != std::string::npos);
}

TEST_CASE("check names a plugin of the wrong ABI, an unknown parameter and a dangling edge") {
    TempDir dir;
    sluice::test::write_file(dir / "sluice.toml", config_with(R"(
[bots.old]
plugin = "broken_wrong_major"
to = ["parser"]
[bots.parser]
plugin = "parser_csv"
parameters = { columns = ["source.ip"], delimeter = ";" }
to = ["ghost"]
)"));
    auto r = run_command(sluicectl() + " --config " + (dir / "sluice.toml").string() + " check");
    CHECK(r.exit_code != 0);
    CHECK(r.output.find("bots.parser.to._default: no bot 'ghost'") != std::string::npos);
    // Edges are checked first; fix the edge and the plugin problems show.
    sluice::test::write_file(dir / "sluice.toml", config_with(R"(
[bots.old]
plugin = "broken_wrong_major"
to = ["parser"]
[bots.parser]
plugin = "parser_csv"
parameters = { columns = ["source.ip"], delimeter = ";" }
to = ["old"]
)"));
    r = run_command(sluicectl() + " --config " + (dir / "sluice.toml").string() + " check");
    CHECK(r.exit_code != 0);
    CHECK(r.output.find("broken_wrong_major.so: ABI major 2") != std::string::npos);
    CHECK(r.output.find("parameter 'delimeter' is not a parameter of parser_csv") != std::string::npos);
    CHECK(r.output.find("problems found") != std::string::npos);
}

TEST_CASE("check --json reports problems as a machine-readable list") {
    TempDir dir;
    sluice::test::write_file(dir / "sluice.toml", config_with("[bots.x]\nplugin = \"no_such_plugin\"\n"));
    auto r = run_command(sluicectl() + " --config " + (dir / "sluice.toml").string() + " check --json");
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("\"ok\":false") != std::string::npos);
    CHECK(r.output.find("plugin 'no_such_plugin' not found") != std::string::npos);
}

TEST_CASE("up refuses to start anything when the configuration is bad") {
    TempDir dir;
    sluice::test::write_file(dir / "sluice.toml", config_with("[bots.x]\nplugin = \"broken_null_process\"\n"));
    auto r = run_command(sluicectl() + " --config " + (dir / "sluice.toml").string() + " up --until-idle");
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("must provide process") != std::string::npos);
    CHECK(r.output.find("nothing started") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "var" / "log"));
}

TEST_CASE("check refuses a path the plugin never emits to, and a number given for a string parameter") {
    TempDir dir;
    sluice::test::write_file(dir / "sluice.toml", config_with(R"(
[bots.parser]
plugin = "parser_csv"
parameters = { columns = ["source.ip"], delimiter = 5 }
to = { _defualt = ["filter"] }
[bots.filter]
plugin = "expert_filter"
parameters = { filter_key = "source.ip", filter_value = "192.0.2.1", filter_action = "keep" }
to = { _default = ["out"], filter_no_match = ["out"], filter_nomatch = ["out"] }
[bots.out]
plugin = "output_file"
parameters = { file = "events.jsonl" }
)"));
    const auto r = run_command(sluicectl() + " --config " + (dir / "sluice.toml").string() + " check");
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("bots.parser.to: path '_defualt' is not one parser_csv emits to (it emits to _default, "
                        "and the host to _on_error)") != std::string::npos);
    // expert_filter declares IntelMQ's filter paths: filter_no_match passes, the misspelt one does not.
    CHECK(r.output.find("path 'filter_no_match'") == std::string::npos);
    CHECK(r.output.find("bots.filter.to: path 'filter_nomatch' is not one expert_filter emits to (it emits to "
                        "_default, filter_match, filter_no_match, action_other") != std::string::npos);
    CHECK(r.output.find("bots.parser: parameter 'delimiter': expected a string (string), got 5") != std::string::npos);
}

TEST_CASE("a missing harmonization and an unknown plugin are named by the settings that lead to them") {
    TempDir dir;
    sluice::test::write_file(dir / "sluice.toml", R"([paths]
var = "var"
harmonization = "nope.toml"
[bots.parser]
plugin = "parser_cvs"
to = []
)");
    const auto r = run_command(sluicectl() + " --config " + (dir / "sluice.toml").string() + " check");
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("[paths] harmonization = " + (dir / "nope.toml").string() +
                        ": no such file (set [paths] "
                        "harmonization in ") != std::string::npos);
    CHECK(r.output.find("add its folder to [paths] plugins or $SLUICE_PLUGIN_PATH; did you mean parser_csv?") !=
          std::string::npos);
    // Not set at all: the message says which default it tried.
    sluice::test::write_file(dir / "sluice.toml", "[bots.parser]\nplugin = \"parser_csv\"\nto = []\n");
    const auto unset = run_command(sluicectl() + " --config " + (dir / "sluice.toml").string() + " check");
    CHECK(unset.output.find("[paths] harmonization is not set and its default " +
                            (dir / "harmonization.toml").string() + ": no such file") != std::string::npos);
}
