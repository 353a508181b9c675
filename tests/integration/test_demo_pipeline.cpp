// SPDX-License-Identifier: AGPL-3.0-or-later
// The bundled demo, run as the README runs it: every good record becomes a harmonized event in
// var/events.jsonl and as rows of var/events.sqlite, the listed addresses and networks in the block
// list var/blocklist.txt, and the one bad record of the URLhaus sample lands in the parser's dump.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <sstream>

#include "test_support.hpp"

using sluice::test::count_lines;
using sluice::test::read_file;
using sluice::test::run_command;
using sluice::test::TempDir;

namespace {

// One number a query returns, read as an analyst would read the demo's database.
long long sqlite_number(const std::filesystem::path& db, const char* sql) {
    sqlite3* con = nullptr;
    REQUIRE(sqlite3_open_v2(db.c_str(), &con, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    const bool row = sqlite3_prepare_v2(con, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    const long long value = row ? sqlite3_column_int64(st, 0) : -1;
    const std::string why = sqlite3_errmsg(con);
    sqlite3_finalize(st);
    sqlite3_close(con);
    REQUIRE_MESSAGE(row, sql << ": " << why);
    return value;
}

}  // namespace

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

    // The same events as rows of the SQLite table, one column per field.
    const auto db = dir / "var" / "events.sqlite";
    CHECK(sqlite_number(db, "SELECT count(*) FROM events") == static_cast<long long>(count_lines(events_file)));
    CHECK(sqlite_number(db, R"(SELECT count(*) FROM events WHERE "classification.taxonomy" IS NULL)") == 0);
    CHECK(sqlite_number(db, R"(SELECT count(*) FROM events WHERE "source.url" = 'http://192.0.2.17:43395/Mozi.m'
                                AND json_extract(extra, '$.tags') = '32-bit,elf,mips,Mozi')") == 1);
    CHECK(sqlite_number(db, R"(SELECT count(*) FROM events WHERE "source.network" = '198.51.100.64/26')") == 1);

    // The block list: the netset's six entries (the URLhaus events carry only URLs), as networks.
    CHECK(read_file(dir / "var" / "blocklist.txt") ==
          "192.0.2.0/24\n192.0.2.250/32\n198.51.100.7/32\n198.51.100.64/26\n203.0.113.9/32\n203.0.113.128/25\n");

    const auto dump = dir / "var" / "dump" / "urlhaus-parser.jsonl";
    CHECK(count_lines(dump) == 1);
    CHECK(read_file(dump).find("time.source") != std::string::npos);

    // The summary says what went where.
    CHECK(r.output.find("events (events-file)") != std::string::npos);
    CHECK(r.output.find("dumped (urlhaus-parser)") != std::string::npos);
}

TEST_CASE("the summary's columns fit a long bot id and a collector has no in") {
    TempDir dir;
    std::filesystem::copy(sluice::test::source_dir() / "conf", dir / "conf", std::filesystem::copy_options::recursive);
    // The taxonomy expert under a 46-character id: its bots.<id> table and every `to` naming it.
    const std::string long_id = "taxonomy-expert-of-the-national-cert-pipeline";
    std::string config = read_file(dir / "conf" / "sluice.toml");
    for (const std::string from : {"[bots.taxonomy]", "\"taxonomy\""}) {
        const std::string to = from[0] == '[' ? "[bots." + long_id + "]" : "\"" + long_id + "\"";
        for (size_t at; (at = config.find(from)) != std::string::npos;) config.replace(at, from.size(), to);
    }
    sluice::test::write_file(dir / "conf" / "sluice.toml", config);
    const auto r = run_command(sluice::test::sluicectl() + " --config " + (dir / "conf" / "sluice.toml").string() +
                               " up --until-idle --timeout 60");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    // Every row of the table ends its "in" column where the header's "in" ends.
    std::istringstream out(r.output.substr(r.output.find("\nbot ") + 1));
    std::string header;
    std::getline(out, header);
    const size_t in_end = header.find(" in ") + 3;
    int rows = 0;
    for (std::string row; std::getline(out, row) && !row.empty(); ++rows) {
        CHECK_MESSAGE(row.size() == header.size(), row);
        CHECK_MESSAGE(row[in_end - 1] != ' ', row);
        CHECK_MESSAGE(row[in_end] == ' ', row);
        if (row.rfind(long_id + " ", 0) == 0) CHECK(row.find(" expert_taxonomy ") != std::string::npos);
        if (row.find(" collector_file ") != std::string::npos) CHECK(row.substr(in_end - 2, 2) == " -");
    }
    CHECK(rows == 8);
}

TEST_CASE("var/ is created for the owner and the group only: folders 0750, files 0640") {
    TempDir dir;
    std::filesystem::copy(sluice::test::source_dir() / "conf", dir / "conf", std::filesystem::copy_options::recursive);
    // Whatever umask the caller has (a login shell's 022 here), queues, dumps, logs and outputs
    // hold whole messages: nobody outside the group reads them.
    const auto r = run_command("umask 022; " + sluice::test::sluicectl() + " --config " +
                               (dir / "conf" / "sluice.toml").string() + " up --until-idle --timeout 60");
    REQUIRE(r.exit_code == 0);
    // (A block list is meant for other readers, a DNS server: output_blocklist makes it 0644; inside
    // var/ the folder's 0750 keeps it private all the same.)
    size_t files = 0, folders = 0;
    for (const char* part : {"queues", "dump", "log", "run"}) {
        CHECK(std::filesystem::status(dir / "var" / part).permissions() == std::filesystem::perms(0750));
        for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "var" / part)) {
            const auto perms = entry.symlink_status().permissions();
            using std::filesystem::perms;
            CAPTURE(entry.path().string());
            CHECK((perms & (perms::others_all | perms::group_write)) == perms::none);
            entry.is_directory() ? ++folders : ++files;
        }
    }
    CHECK(std::filesystem::status(dir / "var").permissions() == std::filesystem::perms(0750));
    CHECK(std::filesystem::status(dir / "var" / "events.jsonl").permissions() == std::filesystem::perms(0640));
    CHECK(std::filesystem::status(dir / "var" / "dump" / "urlhaus-parser.jsonl").permissions() ==
          std::filesystem::perms(0640));
    CHECK(folders >= 6);  // each bot's queue folder
    CHECK(files >= 20);   // segments, cursors, logs, counters, locks, the dump
}
