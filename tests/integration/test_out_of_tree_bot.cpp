// SPDX-License-Identifier: AGPL-3.0-or-later
// A bot built outside this tree, against the installed SDK only (find_package(SluiceSDK) and one
// sluice_add_bot call), runs in a real pipeline.
#include <doctest/doctest.h>

#include "test_support.hpp"

using sluice::test::read_file;
using sluice::test::run_command;
using sluice::test::TempDir;
using sluice::test::write_file;

TEST_CASE("a bot built from a temporary folder against the installed SDK runs in a pipeline") {
    TempDir dir;
    const auto prefix = dir / "prefix";
    auto r = run_command("cmake --install " + sluice::test::build_dir().string() + " --prefix " + prefix.string());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    REQUIRE(std::filesystem::exists(prefix / "include" / "sluice" / "bot.h"));

    write_file(dir / "bot" / "CMakeLists.txt", R"(
cmake_minimum_required(VERSION 3.25)
project(tagger CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(SluiceSDK REQUIRED)
sluice_add_bot(expert_tagger SOURCES tagger.cpp)
)");
    write_file(dir / "bot" / "tagger.cpp", R"(
#include <sluice/bot.hpp>
class Tagger {
 public:
    Tagger(const sluice::Params& p, sluice::Context&) : tag_(p.string("tag")) {}
    sluice::Status process(sluice::Message& in, sluice::Context& ctx) {
        in.set("extra.tagged_by", tag_);
        ctx.emit(in);
        return sluice::Status::ok;
    }
 private:
    std::string tag_;
};
SLUICE_EXPORT_BOT(Tagger, SLUICE_KIND_EXPERT, "expert_tagger", "0.1.0", "Tags every event",
                  SLUICE_PARAM("tag", SLUICE_PARAM_STRING, 1, nullptr, "the tag"))
)");
    r = run_command("cmake -S " + (dir / "bot").string() + " -B " + (dir / "bot" / "build").string() +
                    " -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=" + prefix.string() +
                    " && cmake --build " + (dir / "bot" / "build").string());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    REQUIRE(std::filesystem::exists(dir / "bot" / "build" / "expert_tagger.so"));

    write_file(dir / "feed.txt", "192.0.2.1\n192.0.2.2\n");
    write_file(dir / "sluice.toml", sluice::test::test_paths() + "plugins = [\"bot/build\"]\n" + R"(
[bots.collector]
plugin = "collector_file"
run_mode = "scheduled"
parameters = { path = "feed.txt" }
to = ["parser"]
[bots.parser]
plugin = "parser_csv"
parameters = { columns = ["source.ip"], type = "scanner" }
to = ["tagger"]
[bots.tagger]
plugin = "expert_tagger"
parameters = { tag = "out-of-tree" }
to = ["sink"]
[bots.sink]
plugin = "output_file"
parameters = { file = "var/out.jsonl" }
)");
    r = run_command(sluice::test::sluicectl() + " --config " + (dir / "sluice.toml").string() +
                    " up --until-idle --timeout 60");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    const std::string out = read_file(dir / "var" / "out.jsonl");
    CHECK(sluice::test::count_lines(dir / "var" / "out.jsonl") == 2);
    CHECK(out.find(R"("extra.tagged_by":"out-of-tree")") != std::string::npos);
}
