// SPDX-License-Identifier: AGPL-3.0-or-later
// The dead-letter file: entries are whole lines, and a line torn by a crash stays alone.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "sluice/core/dump_file.hpp"
#include "test_support.hpp"

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

}  // namespace

TEST_CASE("a torn last line of a dump is ended before the next entry, which keeps a line of its own") {
    sluice::test::TempDir dir;
    const auto file = dir / "dump" / "bot.jsonl";
    {
        sluice::DumpFile dump(file);
        dump.add("bot", "bot-queue", "first", "{\"a\":1}", true);
        dump.commit();
    }
    // What a crash in the middle of a write leaves: an entry without its end.
    const std::string torn = "{\"time\":\"2026-12-07T00:00:00\",\"bot_id\":\"bot\",\"rea";
    sluice::test::write_file(file, sluice::test::read_file(file) + torn);

    sluice::DumpFile dump(file);
    dump.add("bot", "bot-queue", "second", "{\"b\":2}", true);
    dump.commit();

    const auto lines = lines_of(sluice::test::read_file(file));
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].find("\"reason\":\"first\"") != std::string::npos);
    CHECK(lines[1] == torn);
    CHECK(lines[2].starts_with("{\"time\":"));
    CHECK(lines[2].find("\"reason\":\"second\"") != std::string::npos);
}
