// SPDX-License-Identifier: AGPL-3.0-or-later
// The bundled demo, run as the README runs it: every good record becomes a harmonized event in
// var/events.jsonl, and the one bad record of the URLhaus sample lands in the parser's dump.
#include <doctest/doctest.h>

#include <sstream>

#include "test_support.hpp"

using sluice::test::count_lines;
using sluice::test::read_file;
using sluice::test::run_command;
using sluice::test::TempDir;

TEST_CASE("the demo pipeline turns both sample feeds into events and dumps the bad line") {
    TempDir dir;
    std::filesystem::copy(sluice::test::source_dir() / "conf", dir / "conf", std::filesystem::copy_options::recursive);
    auto r = run_command(sluice::test::sluicectl() + " --config " + (dir / "conf" / "sluice.toml").string() +
                         " up --until-idle --timeout 60");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);

    const auto events_file = dir / "var" / "events.jsonl";
    // 12 URLhaus rows, one with an impossible date; 6 block-list entries.
    CHECK(count_lines(events_file) == 11 + 6);
    const std::string events = read_file(events_file);
    std::istringstream lines(events);
    for (std::string line; std::getline(lines, line);) {
        // IntelMQ's file output format: no __type, no raw (keep_raw_field is off by default).
        CHECK(line.find(R"("classification.taxonomy":)") != std::string::npos);
        CHECK(line.find(R"("feed.name":)") != std::string::npos);
        CHECK(line.find(R"("time.observation":)") != std::string::npos);
    }
    CHECK(events.find(R"("source.url":"http://192.0.2.17:43395/Mozi.m")") != std::string::npos);
    CHECK(events.find(R"("classification.type":"malware-distribution")") != std::string::npos);
    CHECK(events.find(R"("classification.taxonomy":"malicious-code")") != std::string::npos);
    CHECK(events.find(R"("classification.taxonomy":"other")") != std::string::npos);  // blacklist
    CHECK(events.find(R"("source.network":"198.51.100.64/26")") != std::string::npos);
    CHECK(events.find(R"("source.ip":"198.51.100.7")") != std::string::npos);
    CHECK(events.find(R"("feed.name":"URLhaus")") != std::string::npos);

    const auto dump = dir / "var" / "dump" / "urlhaus-parser.jsonl";
    CHECK(count_lines(dump) == 1);
    CHECK(read_file(dump).find("time.source") != std::string::npos);

    // The summary says what went where.
    CHECK(r.output.find("events (events-file)") != std::string::npos);
    CHECK(r.output.find("dumped (urlhaus-parser)") != std::string::npos);
}
