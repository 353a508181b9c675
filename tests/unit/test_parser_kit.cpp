// SPDX-License-Identifier: AGPL-3.0-or-later
// The SDK's parser kit (sluice/parser_kit.hpp): Python's str.splitlines() with line numbers. The
// record loop and report_text are exercised through the parsers built on them (parser_json,
// parser_spamhaus_drop, parser_abusech_feodotracker) and their conformance cases.
#include <doctest/doctest.h>
#include <sluice/parser_kit.hpp>

#include <string_view>
#include <vector>

namespace {

std::vector<std::string_view> texts(std::string_view s) {
    std::vector<std::string_view> out;
    for (const auto& line : sluice::parser::split_lines(s)) out.push_back(line.text);
    return out;
}

}  // namespace

TEST_CASE("split_lines ends lines where Python's str.splitlines() does") {
    CHECK(texts("a\nb\r\nc\rd") == std::vector<std::string_view>{"a", "b", "c", "d"});
    CHECK(texts("a\n\nb\n") == std::vector<std::string_view>{"a", "", "b"});
    CHECK(texts("a\xe2\x80\xa8"
                "b\x0c"
                "c\x1d"
                "d\xc2\x85"
                "e\x0b"
                "f") == std::vector<std::string_view>{"a", "b", "c", "d", "e", "f"});
    CHECK(texts("").empty());
    CHECK(texts("\n") == std::vector<std::string_view>{""});
    // A lone \xe2\x80 or \xc2 is text, not a break.
    CHECK(texts("a\xe2\x80x\nb\xc2") == std::vector<std::string_view>{"a\xe2\x80x", "b\xc2"});
}

TEST_CASE("split_lines numbers lines from 1, counting empty ones") {
    const auto lines = sluice::parser::split_lines("x\n\ny\r\nz");
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].number == 1);
    CHECK(lines[2].text == "y");
    CHECK(lines[2].number == 3);
    CHECK(lines[3].number == 4);
}
