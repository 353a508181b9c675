// SPDX-License-Identifier: AGPL-3.0-or-later
// The twenty-line parser of docs/parser-kit.md, built from tests/fixtures/parser_example.cpp: the
// page shows the file as it is, and the parser does what the page says, run by `sluicectl run`.
#include <doctest/doctest.h>
#include <sluice/codec.hpp>

#include "test_support.hpp"

using namespace sluice::test;

TEST_CASE("the parser kit's example works as docs/parser-kit.md prints it") {
    const std::string example = read_file(source_dir() / "tests" / "fixtures" / "parser_example.cpp");
    CHECK(read_file(source_dir() / "docs" / "parser-kit.md").find("```cpp\n" + example + "```") != std::string::npos);

    TempDir dir("sluice-parser-kit");
    write_file(dir / "sluice.toml", sluice::test::test_paths() + "plugins = [\"" +
                                        (build_dir() / "tests" / "fixtures").string() + "\"]\n" + R"(
[bots.parser]
plugin = "parser_example"
to = ["sink"]
[bots.sink]
plugin = "output_file"
parameters = { file = "var/events.jsonl" }
)");
    const std::string raw = sluice::base64::encode("# a comment\n192.0.2.1\n\nnot an address\r\n2001:db8::1");
    const std::string report = R"({"__type":"Report","feed.name":"Example","raw":")" + raw + "\"}";
    const auto r = run_command(sluicectl() + " --config " + (dir / "sluice.toml").string() + " run parser --msg '" +
                               report + "' --show-sent");
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find(R"("source.ip":"192.0.2.1")") != std::string::npos);
    CHECK(r.output.find(R"("source.ip":"2001:db8::1")") != std::string::npos);
    CHECK(r.output.find(R"("feed.name":"Example")") != std::string::npos);  // copied from the report
    // The bad line failed alone, named by its line number; the others went on.
    CHECK(r.output.find("record failed: line 4: field 'source.ip': 'not an address' is not a valid IPAddress") !=
          std::string::npos);
    CHECK(r.output.find("sent 2 events and found 1 problem(s)") != std::string::npos);
}
