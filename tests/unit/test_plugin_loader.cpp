// SPDX-License-Identifier: AGPL-3.0-or-later
// The host refuses every plugin that breaks a rule of bot.h, and the message names the file and why.
#include <doctest/doctest.h>

#include <string>

#include "sluice/core/plugin.hpp"
#include "test_support.hpp"

using sluice::Plugin;
using sluice::PluginError;
using sluice::test::fixture;

namespace {

std::string refusal(const std::string& file) {
    try {
        Plugin p(file);
    } catch (const PluginError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a shared object without the entry symbol is refused, naming the symbol") {
    const auto file = fixture("broken_no_entry.so");
    const auto why = refusal(file);
    CHECK(why.find(file) != std::string::npos);
    CHECK(why.find("no symbol sluice_bot_entry_v1") != std::string::npos);
}

TEST_CASE("a plugin of another ABI major is refused with both versions and the fix") {
    const auto file = fixture("broken_wrong_major.so");
    const auto why = refusal(file);
    CHECK(why.find(file) != std::string::npos);
    CHECK(why.find("ABI major 2") != std::string::npos);
    CHECK(why.find("host speaks 1.") != std::string::npos);
    CHECK(why.find("rebuild") != std::string::npos);
}

TEST_CASE("a descriptor shorter than the 1.0 layout is refused") {
    const auto file = fixture("broken_short_struct.so");
    const auto why = refusal(file);
    CHECK(why.find(file) != std::string::npos);
    CHECK(why.find("struct_size 16") != std::string::npos);
}

TEST_CASE("an expert without process is refused") {
    const auto file = fixture("broken_null_process.so");
    const auto why = refusal(file);
    CHECK(why.find(file) != std::string::npos);
    CHECK(why.find("must provide process") != std::string::npos);
}

TEST_CASE("a file that is not a shared object at all is refused as unloadable") {
    sluice::test::TempDir dir;
    sluice::test::write_file(dir / "junk.so", "not an ELF file");
    const auto why = refusal((dir / "junk.so").string());
    CHECK(why.find("junk.so") != std::string::npos);
    CHECK(why.find("cannot be loaded") != std::string::npos);
}

TEST_CASE("a well-formed plugin loads and its descriptor is readable") {
    Plugin p(fixture("expert_fixture.so"));
    CHECK(p.name() == "expert_fixture");
    CHECK(p.desc().kind == SLUICE_KIND_EXPERT);
    REQUIRE(p.desc().param_count == 1);
    CHECK(std::string(p.desc().params[0].name) == "fail_times");
}

TEST_CASE("find_plugin says which folders it searched") {
    sluice::test::TempDir dir;
    try {
        (void)sluice::find_plugin("parser_nothing", {dir.path()});
        FAIL("expected a PluginError");
    } catch (const PluginError& e) {
        const std::string why = e.what();
        CHECK(why.find("parser_nothing") != std::string::npos);
        CHECK(why.find(dir.path().string()) != std::string::npos);
    }
}
