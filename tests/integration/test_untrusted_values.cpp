// SPDX-License-Identifier: AGPL-3.0-or-later
// What a feed sends is not always fit to pass on: a Latin-1 byte in a "UTF-8" CSV and a 10 MB
// value in a column. Through a real pipeline, the events written are valid UTF-8 (the repaired
// values counted in the parser's counters and on /metrics' terms), and the bad row's dump reason
// and the log line about it quote a bounded prefix of the value, while the dump keeps the row.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "sluice/core/utf8.hpp"
#include "test_support.hpp"

using namespace sluice::test;

TEST_CASE("invalid UTF-8 from a feed is repaired and counted, and a 10 MB bad value is quoted short") {
    TempDir dir("sluice-untrusted");
    std::filesystem::create_directories(dir / "feed");
    const std::string huge(10 << 20, '9');
    {
        std::ofstream feed(dir / "feed" / "a.csv", std::ios::binary);
        feed << "192.0.2.4,caf\xe9\n"
             << huge << ",big\n"
             << "192.0.2.5,ok\n";
    }
    write_file(dir / "sluice.toml", sluice::test::test_paths() + R"(
[bots.collector]
plugin = "collector_file"
run_mode = "scheduled"
parameters = { path = "feed", delete_file = true }
to = ["parser"]
[bots.parser]
plugin = "parser_csv"
parameters = { columns = ["source.ip", "extra.note"], type = "scanner" }
to = ["sink"]
[bots.sink]
plugin = "output_file"
parameters = { file = "var/events.jsonl" }
)");
    const CommandResult up =
        run_command(sluicectl() + " --config " + (dir / "sluice.toml").string() + " up --until-idle --timeout 60");
    INFO(up.output.substr(0, 4000));
    REQUIRE(up.exit_code == 0);

    const std::string events = read_file(dir / "var" / "events.jsonl");
    CHECK(count_lines(dir / "var" / "events.jsonl") == 2);
    CHECK(sluice::valid_utf8(events));
    CHECK(events.find("\"extra.note\":\"caf\xEF\xBF\xBD\"") != std::string::npos);
    const std::string stats = read_file(dir / "var" / "run" / "parser.stats.json");
    CHECK(stats.find("\"values_repaired\":1") != std::string::npos);

    // The 10 MB row is dumped whole (to be replayed once fixed), its reason only quotes it.
    const std::string dump = read_file(dir / "var" / "dump" / "parser.jsonl");
    CHECK(dump.size() > huge.size());
    const size_t reason_at = dump.find("\"reason\":\"");
    REQUIRE(reason_at != std::string::npos);
    const std::string reason = dump.substr(reason_at, dump.find("\",\"", reason_at) - reason_at);
    CHECK(reason.size() < 1000);
    CHECK(reason.find("(10485760 bytes)") != std::string::npos);
    std::istringstream log(read_file(dir / "var" / "log" / "parser.log"));
    size_t longest = 0;
    for (std::string line; std::getline(log, line);) longest = std::max(longest, line.size());
    CHECK(longest < 20000);
}
