// SPDX-License-Identifier: AGPL-3.0-or-later
// output_sqlite through the real host code: the rows and their values once process+flush returned
// (the host's acknowledgement point), the table it creates, a batch the database rolls back leaving
// nothing behind, values the database refuses, and parameters refused at create time.
#include <doctest/doctest.h>
#include <sluice/bot.h>
#include <sqlite3.h>
#include <sluice/core/bot_harness.hpp>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace fs = std::filesystem;
using sluice::BotHarness;
using sluice::HarnessResult;
using sluice::test::TempDir;

namespace {

using Rows = std::vector<std::vector<std::string>>;

// Reads the database through a connection of its own, as an analyst would; NULL reads as "NULL".
Rows query(const fs::path& db, const std::string& sql) {
    sqlite3* con = nullptr;
    REQUIRE(sqlite3_open_v2(db.c_str(), &con, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) == SQLITE_OK);
    Rows rows;
    char* error = nullptr;
    const int rc = sqlite3_exec(
        con, sql.c_str(),
        [](void* out, int n, char** values, char**) {
            auto& r = static_cast<Rows*>(out)->emplace_back();
            for (int i = 0; i < n; ++i) r.emplace_back(values[i] ? values[i] : "NULL");
            return 0;
        },
        &rows, &error);
    const std::string why = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(con);
    INFO(sql);
    REQUIRE_MESSAGE(rc == SQLITE_OK, why);
    return rows;
}

std::string one(const fs::path& db, const std::string& sql) {
    const Rows rows = query(db, sql);
    REQUIRE(rows.size() == 1);
    REQUIRE(rows[0].size() == 1);
    return rows[0][0];
}

std::string event(const std::string& ip, const std::string& more = "") {
    return R"({"__type":"Event","source.ip":")" + ip + R"(","classification.type":"scanner")" +
           (more.empty() ? "" : "," + more) + "}";
}

std::string params(const fs::path& db, const std::string& more = "") {
    return R"({"database": ")" + db.string() + "\"" + (more.empty() ? "" : ", " + more) + "}";
}

std::string refusal(const std::string& parameters) {
    try {
        BotHarness bot("output_sqlite", parameters);
    } catch (const std::exception& e) {
        return e.what();
    }
    FAIL("the parameters were accepted: " << parameters);
    return "";
}

}  // namespace

TEST_CASE("output_sqlite writes one row per event, each field in its column, extra.* as one JSON object") {
    TempDir dir("output-sqlite");
    const fs::path db = dir / "new" / "events.sqlite";  // missing folders are created
    BotHarness bot("output_sqlite", params(db));
    const HarnessResult r =
        bot.process({event("192.0.2.1", R"("source.port":22,"feed.accuracy":87.5,"extra.tags":["a","b"],"extra.n":3)"),
                     event("2001:db8::1", R"("time.source":"2026-11-27T07:58:12+00:00")")});
    CHECK(r.failed.empty());
    CHECK(r.statuses == std::vector<uint32_t>{SLUICE_OK, SLUICE_OK});

    // process() returned after flush: the rows are committed and visible to another connection.
    const Rows rows = query(db,
                            R"(SELECT "source.ip", "source.port", typeof("source.port"), "feed.accuracy",
                                      "classification.type", "extra", "time.source" FROM events ORDER BY id)");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0] == std::vector<std::string>{"192.0.2.1", "22", "integer", "87.5", "scanner",
                                              R"({"tags":["a","b"],"n":3})", "NULL"});
    CHECK(rows[1] == std::vector<std::string>{"2001:db8::1", "NULL", "null", "NULL", "scanner", "NULL",
                                              "2026-11-27T07:58:12+00:00"});
    CHECK(one(db, R"(SELECT json_extract(extra, '$.tags[1]') FROM events WHERE "source.ip" = '192.0.2.1')") == "b");
    // Durable and readable alongside the writer: WAL with every commit synced.
    CHECK(one(db, "PRAGMA journal_mode") == "wal");

    // A new instance appends to the same table.
    BotHarness again("output_sqlite", params(db));
    again.process({event("192.0.2.3")});
    CHECK(one(db, "SELECT count(*) FROM events") == "3");
}

TEST_CASE("output_sqlite creates the table with a column per harmonization field, an id and indexes") {
    TempDir dir("output-sqlite");
    const fs::path db = dir / "events.sqlite";
    BotHarness bot("output_sqlite", params(db, R"("table": "intelmq events")"));
    const Rows columns = query(db, R"(SELECT name, type FROM pragma_table_info('intelmq events'))");
    auto has = [&](const std::string& name, const std::string& type) {
        for (const auto& c : columns)
            if (c[0] == name) return c[1] == type;
        return false;
    };
    CHECK(columns.size() > 70);  // IntelMQ's event fields
    CHECK(has("id", "INTEGER"));
    CHECK(has("source.ip", "TEXT"));
    CHECK(has("source.port", "INTEGER"));
    CHECK(has("source.asn", "INTEGER"));
    CHECK(has("feed.accuracy", "REAL"));
    CHECK(has("time.source", "TEXT"));
    CHECK(has("extra", "TEXT"));
    CHECK(has("raw", "TEXT"));
    CHECK_FALSE(has("extra.tags", "TEXT"));
    CHECK(one(db, R"(SELECT count(*) FROM pragma_index_list('intelmq events'))") == "3");
}

TEST_CASE("output_sqlite leaves nothing of a batch the database rolled back, and the next batch is written") {
    TempDir dir("output-sqlite");
    const fs::path db = dir / "events.sqlite";
    BotHarness bot("output_sqlite", params(db));
    // A trigger stands in for any failure that makes SQLite roll back the whole transaction (disk
    // full, I/O error) after some rows of the batch were already inserted.
    query(db, R"(CREATE TRIGGER fail BEFORE INSERT ON events WHEN NEW."source.ip" = '192.0.2.99'
                 BEGIN SELECT RAISE(ROLLBACK, 'simulated failure'); END)");

    const HarnessResult r = bot.process({event("192.0.2.1"), event("192.0.2.99"), event("192.0.2.2")});
    REQUIRE(r.failed.size() == 1);  // flush failed: the host would not acknowledge the batch
    CHECK(r.failed[0].reason.find("flush:") == 0);
    CHECK(r.failed[0].reason.find("simulated failure") != std::string::npos);
    CHECK(r.failed[0].reason.find("delivered again") != std::string::npos);
    CHECK(one(db, "SELECT count(*) FROM events") == "0");  // not even the first row

    const HarnessResult next = bot.process({event("192.0.2.1"), event("192.0.2.2")});
    CHECK(next.failed.empty());
    CHECK(one(db, "SELECT count(*) FROM events") == "2");
}

TEST_CASE("output_sqlite rejects an event the database refuses, naming table and reason, and keeps the others") {
    TempDir dir("output-sqlite");
    const fs::path db = dir / "events.sqlite";
    // A table made by hand, IntelMQ-style, with a rule of the site's own.
    query(db, R"(CREATE TABLE events (id INTEGER PRIMARY KEY, "source.ip" TEXT CHECK ("source.ip" <> '192.0.2.66'),
                 "classification.type" TEXT, extra TEXT, inserted TEXT DEFAULT 'by default'))");
    BotHarness bot("output_sqlite", params(db, R"("create_table": false)"));
    const HarnessResult r = bot.process(
        {event("192.0.2.1"), event("192.0.2.66"), event("192.0.2.2"), event("192.0.2.3", R"("source.port":22)")});
    CHECK(r.statuses == std::vector<uint32_t>{SLUICE_OK, SLUICE_REJECT, SLUICE_OK, SLUICE_REJECT});
    REQUIRE(r.failed.size() == 2);
    CHECK(r.failed[0].reason.find(R"(table "events" refused the event)") != std::string::npos);
    CHECK(r.failed[0].reason.find("CHECK constraint failed") != std::string::npos);
    CHECK(r.failed[1].reason.find(R"(has no column "source.port")") != std::string::npos);
    CHECK(query(db, R"(SELECT "source.ip", inserted FROM events ORDER BY id)") ==
          Rows{{"192.0.2.1", "by default"}, {"192.0.2.2", "by default"}});
}

TEST_CASE("output_sqlite adds a column for a field its table lacks when create_table is on") {
    TempDir dir("output-sqlite");
    const fs::path db = dir / "events.sqlite";
    query(db, R"(CREATE TABLE events ("source.ip" TEXT))");
    BotHarness bot("output_sqlite", params(db));
    const HarnessResult r = bot.process({event("192.0.2.1", R"("source.port":22)")});
    CHECK(r.failed.empty());
    CHECK(query(db, R"(SELECT "source.ip", "source.port", "classification.type" FROM events)") ==
          Rows{{"192.0.2.1", "22", "scanner"}});
    CHECK(one(db, R"(SELECT type FROM pragma_table_info('events') WHERE name = 'source.port')") == "INTEGER");
}

TEST_CASE("output_sqlite writes only the fields listed in fields") {
    TempDir dir("output-sqlite");
    const fs::path db = dir / "events.sqlite";
    BotHarness bot("output_sqlite", params(db, R"("fields": ["source.ip", "extra"])"));
    const HarnessResult r = bot.process({event("192.0.2.1", R"("source.port":22,"extra.tag":"x")")});
    CHECK(r.failed.empty());
    CHECK(query(db, R"(SELECT "source.ip", "source.port", "classification.type", extra FROM events)") ==
          Rows{{"192.0.2.1", "NULL", "NULL", R"({"tag":"x"})"}});
}

TEST_CASE("output_sqlite refuses bad parameters at create time, naming them") {
    TempDir dir("output-sqlite");
    const fs::path db = dir / "events.sqlite";
    sluice::test::write_file(dir / "not-a-folder", "x");
    CHECK(refusal(params(dir / "not-a-folder" / "events.sqlite")).find("parameter 'database'") != std::string::npos);
    CHECK(refusal(R"({"database": ""})").find("parameter 'database' is empty") != std::string::npos);
    sluice::test::write_file(dir / "text.sqlite", "this is not a database, just some text of some length\n");
    CHECK(refusal(params(dir / "text.sqlite")).find("not a database") != std::string::npos);
    CHECK(refusal(params(db, R"("create_table": false)")).find(R"(there is no table "events")") != std::string::npos);
    CHECK(refusal(params(db, R"("fields": ["source.ip", "no.such.field"])"))
              .find(R"(parameter 'fields': table "events" in )") != std::string::npos);
    CHECK(refusal(params(db, R"("connect_timeout": -1)")).find("connect_timeout") != std::string::npos);
    CHECK(refusal(params(db, R"("table": "")")).find("parameter 'table' is empty") != std::string::npos);
    CHECK(refusal(params(db, R"("no_such_parameter": 1)")).find("no_such_parameter") != std::string::npos);
}
