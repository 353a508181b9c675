// SPDX-License-Identifier: AGPL-3.0-or-later
// output_postgresql and sluice-psql-schema against a real PostgreSQL 15 cluster that each test case
// creates privately (initdb in a temp dir, loopback port) and stops again, through the real host code.
#include <doctest/doctest.h>
#include <sluice/bot.h>
#include <sluice/codec.hpp>
#include <sluice/core/bot_harness.hpp>
#include <sluice/core/bot_instance.hpp>
#include <sluice/core/defaults.hpp>

#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "postgres_server.hpp"
#include "test_support.hpp"

using sluice::BotHarness;
using sluice::HarnessResult;
using sluice::test::PostgresServer;

namespace {

const std::string kEvent1 = R"({"__type":"Event","source.ip":"192.0.2.1","source.port":22,"source.asn":4200000001,)"
                            R"("classification.type":"scanner","time.source":"2015-01-01T00:00:00+00:00",)"
                            R"("feed.name":"Test feed","extra.tags":["a","b"],"extra.note":"tab\there \\ and\nline",)"
                            R"("raw":")" +
                            sluice::base64::encode("192.0.2.1,22\n") + R"("})";
const std::string kEvent2 = R"({"__type":"Event","source.ip":"2001:db8::1","source.network":"198.51.100.0/24",)"
                            R"("classification.type":"scanner","time.observation":"2016-02-03T04:05:06+00:00"})";

std::string schema_sql(const std::string& args = "") {
    const auto r = sluice::test::run_command((sluice::test::build_dir() / "bin" / "sluice-psql-schema").string() + " " +
                                             args + " 2>/dev/null");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    return r.output;
}

// A server with the events table sluice-psql-schema prints.
void create_events_table(const PostgresServer& server) { server.exec(schema_sql()); }

std::string params(const PostgresServer& server, const std::string& more = "") {
    return R"({"host": "127.0.0.1", "port": )" + std::to_string(server.port()) + R"(, "database": ")" +
           PostgresServer::database() + R"(", "user": ")" + PostgresServer::superuser() + "\"" +
           (more.find("\"sslmode\"") == std::string::npos ? R"(, "sslmode": "disable")" : "") +
           R"(, "reconnect_delay": 0.05)" + (more.empty() ? "" : ", " + more) + "}";
}

std::string count_rows(const PostgresServer& server) { return *server.query("SELECT count(*) FROM events")[0][0]; }

std::string refusal_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(accepted)";
}

}  // namespace

TEST_CASE("sluice-psql-schema prints IntelMQ's CREATE TABLE, which PostgreSQL accepts with the intended types") {
    const std::string sql = schema_sql();
    CHECK(sql.find("CREATE TABLE events (\n    \"id\" BIGSERIAL UNIQUE PRIMARY KEY,\n") == 0);
    CHECK(sql.find("\n    \"source.ip\" inet,") != std::string::npos);
    CHECK(sql.find("\n    \"time.source\" timestamp with time zone,") != std::string::npos);
    CHECK(sql.find("\n    \"extra\" json,") != std::string::npos);
    CHECK(sql.find("\n    \"feed.code\" varchar(100),") != std::string::npos);
    CHECK(sql.find("CREATE INDEX \"idx_events_source.ip\" ON events USING btree (\"source.ip\");") !=
          std::string::npos);
    CHECK(schema_sql("--table public.ev --if-not-exists").find("CREATE TABLE IF NOT EXISTS public.ev (") == 0);

    PostgresServer server;
    server.exec(sql);
    const auto types = server.query(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'events'::regclass "
        "AND attname IN ('source.ip', 'source.port', 'source.asn', 'time.source', 'extra', 'raw') ORDER BY attname");
    REQUIRE(types.size() == 6);
    CHECK(*types[0][1] == "json");                      // extra
    CHECK(*types[1][1] == "text");                      // raw
    CHECK(*types[2][1] == "bigint");                    // source.asn: 32-bit ASNs do not fit integer
    CHECK(*types[3][1] == "inet");                      // source.ip
    CHECK(*types[4][1] == "integer");                   // source.port
    CHECK(*types[5][1] == "timestamp with time zone");  // time.source

    const auto bad = sluice::test::run_command((sluice::test::build_dir() / "bin" / "sluice-psql-schema").string() +
                                               " --harmonization /nonexistent/harmonization.toml");
    CHECK(bad.exit_code == 1);
    CHECK(bad.output.find("/nonexistent/harmonization.toml") != std::string::npos);
}

TEST_CASE("output_postgresql inserts a batch with COPY and each value lands typed in its column") {
    PostgresServer server;
    create_events_table(server);
    BotHarness bot("output_postgresql", params(server));
    const HarnessResult r = bot.process({kEvent1, kEvent2});
    CHECK(r.failed.empty());
    CHECK(r.statuses == std::vector<uint32_t>{SLUICE_OK, SLUICE_OK});

    const auto rows =
        server.query(R"(SELECT host("source.ip"), "source.port", "source.asn", "time.source" = '2015-01-01 00:00:00Z',)"
                     R"( "extra"->>'note', "extra"->'tags'->>1, "raw", "feed.name", "source.network"::text,)"
                     R"( "classification.type", "time.observation" = '2016-02-03T04:05:06Z' FROM events ORDER BY id)");
    REQUIRE(rows.size() == 2);
    CHECK(*rows[0][0] == "192.0.2.1");
    CHECK(*rows[0][1] == "22");
    CHECK(*rows[0][2] == "4200000001");
    CHECK(*rows[0][3] == "t");
    CHECK(*rows[0][4] == "tab\there \\ and\nline");  // COPY's escapes undone by the server
    CHECK(*rows[0][5] == "b");
    CHECK(sluice::base64::decode(*rows[0][6]) == "192.0.2.1,22\n");
    CHECK(*rows[0][7] == "Test feed");
    CHECK_FALSE(rows[0][8].has_value());  // a field the event lacks is NULL
    CHECK(*rows[1][0] == "2001:db8::1");
    CHECK(*rows[1][8] == "198.51.100.0/24");
    CHECK(*rows[1][9] == "scanner");
    CHECK(*rows[1][10] == "t");
    CHECK_FALSE(rows[1][4].has_value());  // no extra.* fields: extra is NULL
}

TEST_CASE("output_postgresql writes only the listed fields, and extra.* as columns without jsondict_as_string") {
    PostgresServer server;
    create_events_table(server);
    SUBCASE("fields") {
        BotHarness bot("output_postgresql", params(server, R"("fields": ["source.ip", "classification.type"])"));
        CHECK(bot.process({kEvent1}).failed.empty());
        const auto rows = server.query(R"(SELECT host("source.ip"), "source.port", "extra" FROM events)");
        REQUIRE(rows.size() == 1);
        CHECK(*rows[0][0] == "192.0.2.1");
        CHECK_FALSE(rows[0][1].has_value());
        CHECK_FALSE(rows[0][2].has_value());
    }
    SUBCASE("jsondict_as_string false: a column per extra field, and one without a column is refused by name") {
        server.exec(R"(ALTER TABLE events ADD COLUMN "extra.tags" json)");
        BotHarness bot("output_postgresql", params(server, R"("jsondict_as_string": false)"));
        const std::string tags_only = R"({"__type":"Event","source.ip":"192.0.2.7","extra.tags":["x"]})";
        const HarnessResult r = bot.process({kEvent1, tags_only});
        REQUIRE(r.failed.size() == 1);
        CHECK(r.failed[0].record == kEvent1);
        CHECK(r.failed[0].reason.find("field 'extra.note' has no column in table events") != std::string::npos);
        CHECK(r.statuses == std::vector<uint32_t>{SLUICE_REJECT, SLUICE_OK});
        const auto rows = server.query(R"(SELECT "extra.tags"->>0 FROM events)");
        REQUIRE(rows.size() == 1);
        CHECK(*rows[0][0] == "x");
    }
}

TEST_CASE("output_postgresql fails only the event whose value PostgreSQL refuses, naming the field") {
    PostgresServer server;
    create_events_table(server);
    BotHarness bot("output_postgresql", params(server));
    // A valid Integer for the harmonization, but beyond PostgreSQL's integer.
    const std::string too_big = R"({"__type":"Event","source.ip":"192.0.2.9","rtir_id":3000000000})";
    const HarnessResult r = bot.process({kEvent1, too_big, kEvent2});
    REQUIRE(r.failed.size() == 1);
    CHECK(r.failed[0].record == too_big);
    const std::string& why = r.failed[0].reason;
    CHECK_MESSAGE(why.find("field 'rtir_id' (column type integer) = '3000000000'") != std::string::npos, why);
    CHECK_MESSAGE(why.find("out of range") != std::string::npos, why);
    const auto rows = server.query(R"(SELECT host("source.ip") FROM events ORDER BY id)");
    REQUIRE(rows.size() == 2);
    CHECK(*rows[0][0] == "192.0.2.1");
    CHECK(*rows[1][0] == "2001:db8::1");
}

TEST_CASE("output_postgresql commits in flush, not before, and a flush that cannot commit asks for a retry") {
    PostgresServer server;
    create_events_table(server);
    // BotInstance, the host's own driver, so that process and flush can be called apart.
    auto harmonization = std::make_shared<const sluice::Harmonization>(
        sluice::Harmonization::load(sluice::default_harmonization_file()));
    sluice::Logger log("test", sluice::LogLevel::critical);
    sluice::BotHooks hooks;
    hooks.emit = [](std::string_view, const sluice::Message&) { return false; };
    hooks.fail_record = [](std::string_view, std::string_view) {};
    hooks.counter = [](std::string_view, int64_t) {};
    hooks.should_stop = [] { return false; };
    sluice::BotInstance bot(
        std::make_shared<sluice::Plugin>(sluice::find_plugin("output_postgresql", sluice::plugin_search_path())),
        params(server, R"("reconnect_attempts": 1)"), harmonization, log, hooks);
    sluice_msg input{sluice::Message(sluice::MessageType::event, *harmonization)};
    std::string why;
    REQUIRE(sluice::Message::decode(kEvent1, input.message, why));

    CHECK(bot.process(input).ok());
    CHECK(count_rows(server) == "0");  // nothing before the host's durability point
    CHECK(bot.flush().ok());
    CHECK(count_rows(server) == "1");

    CHECK(bot.process(input).ok());
    server.stop();
    const sluice::CallResult failed = bot.flush();
    CHECK(failed.status == SLUICE_RETRY);  // not acknowledged: the host delivers the batch again
    CHECK(failed.error.find("giving up after 2 attempt(s)") != std::string::npos);
    server.start();
    CHECK(count_rows(server) == "1");
}

TEST_CASE("output_postgresql reconnects when the server was restarted between batches") {
    PostgresServer server;
    create_events_table(server);
    BotHarness bot("output_postgresql", params(server));
    CHECK(bot.process({kEvent1}).failed.empty());
    server.stop();
    server.start();
    const HarnessResult r = bot.process({kEvent2});
    CHECK(r.failed.empty());
    CHECK(count_rows(server) == "2");
}

TEST_CASE("output_postgresql fails flush retryably when the server stays away, and keeps the batch") {
    PostgresServer server;
    create_events_table(server);
    BotHarness bot("output_postgresql", params(server, R"("reconnect_attempts": 2)"));
    server.stop();
    const HarnessResult r = bot.process({kEvent1});
    REQUIRE(r.failed.size() == 1);
    CHECK(r.failed[0].reason.find("flush: ") == 0);
    CHECK(r.failed[0].reason.find("giving up after 3 attempt(s)") != std::string::npos);
    // The batch was not acknowledged; the rows are still held, and the next flush writes them.
    server.start();
    CHECK(bot.process({}).failed.empty());
    CHECK(count_rows(server) == "1");
}

TEST_CASE("output_postgresql takes the password from a file or the environment, and never shows it") {
    PostgresServer server(PostgresServer::Options{.password_auth = true});
    create_events_table(server);
    server.exec("ALTER ROLE " + PostgresServer::superuser() + " PASSWORD 'Sluice-pw-42'");
    sluice::test::TempDir dir("pg-password");

    SUBCASE("password_file") {
        sluice::test::write_file(dir / "pw", "Sluice-pw-42\n");
        BotHarness bot("output_postgresql", params(server, R"("password_file": ")" + (dir / "pw").string() + "\""));
        CHECK(bot.process({kEvent1}).failed.empty());
        CHECK(count_rows(server) == "1");
    }
    SUBCASE("password_env") {
        ::setenv("SLUICE_TEST_PG_PASSWORD", "Sluice-pw-42", 1);
        BotHarness bot("output_postgresql", params(server, R"("password_env": "SLUICE_TEST_PG_PASSWORD")"));
        CHECK(bot.process({kEvent1}).failed.empty());
        CHECK(count_rows(server) == "1");
    }
    SUBCASE("a wrong password is refused at create, without the password in the message") {
        const std::string why =
            refusal_of([&] { BotHarness bot("output_postgresql", params(server, R"("password": "Wrong-pw-17")")); });
        CHECK(why.find("password authentication failed") != std::string::npos);
        CHECK(why.find("postgresql://sluice@127.0.0.1:") != std::string::npos);
        CHECK(why.find("Wrong-pw-17") == std::string::npos);
    }
    SUBCASE("two password sources are refused") {
        const std::string why = refusal_of(
            [&] { BotHarness bot("output_postgresql", params(server, R"("password": "x", "password_env": "HOME")")); });
        CHECK(why.find("exclude each other") != std::string::npos);
    }
}

TEST_CASE("output_postgresql refuses bad parameters when it is created, naming them") {
    PostgresServer server;
    create_events_table(server);
    const auto refused = [&](const std::string& more, const std::string& expected) {
        const std::string why = refusal_of([&] { BotHarness b("output_postgresql", params(server, more)); });
        CHECK_MESSAGE(why.find(expected) != std::string::npos, why);
    };
    refused(R"("table": "nope")", "table 'nope' does not exist");
    refused(R"("fields": ["source.ip", "no.such"])", "'fields' names 'no.such'");
    refused(R"("sslmode": "sometimes")", "'sslmode' = 'sometimes'");
    refused(R"("password_file": "/nonexistent/pw")", "'password_file' = '/nonexistent/pw': cannot read it");
}
