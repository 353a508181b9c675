// SPDX-License-Identifier: AGPL-3.0-or-later
// `sluicectl dump list|show|replay|delete` against the dumps real hosts write: the demo's URLhaus
// row with an impossible date, and a dead letter fixed by hand that a replay brings through.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "demo_copy.hpp"
#include "sluice/core/dump_file.hpp"
#include "test_support.hpp"

using sluice::test::count_lines;
using sluice::test::read_file;
using sluice::test::run_command;
using sluice::test::TempDir;

namespace {

using Demo = sluice::test::DemoCopy;

}  // namespace

TEST_CASE("dump lists, shows, replays and deletes the demo's dead letter") {
    Demo demo;
    auto r = demo.ctl("up --until-idle --timeout 60");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    REQUIRE(count_lines(demo.dump("urlhaus-parser")) == 1);

    r = demo.ctl("dump list");
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("urlhaus-parser: 1 entry") != std::string::npos);
    CHECK(r.output.find("taxonomy: 0 entries") != std::string::npos);
    r = demo.ctl("dump list --json");
    CHECK(r.exit_code == 0);
    CHECK(r.output.find(R"({"bot":"urlhaus-parser","entries":1,"damaged":0,)") != std::string::npos);
    CHECK(r.output.find(R"("total":1})") != std::string::npos);

    // The entry: when, why (the impossible date), and the message to replay (the report, raw = the row).
    r = demo.ctl("dump show urlhaus-parser");
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("[1] ") != std::string::npos);
    CHECK(r.output.find("reason: ") != std::string::npos);
    CHECK(r.output.find("time.source") != std::string::npos);
    // raw is shown as the failing row itself, as intelmqdump shows it; --raw keeps the Base64.
    const std::string row_in_json = R"(\"3314392\",\"2026-13-41 07:23:09\",\"http://203.0.113.77/mips\")";
    CHECK(r.output.find(row_in_json) != std::string::npos);
    const auto stored = demo.ctl("dump show urlhaus-parser 1 --raw");
    CHECK(stored.output.find(row_in_json) == std::string::npos);
    CHECK(stored.output.find(R"("raw":"IjMzMTQzOTIiLCIyMDI2LTEzLTQxIDA3OjIzOjA5Ii)") != std::string::npos);
    r = demo.ctl("dump show urlhaus-parser 1 --json");
    CHECK(r.exit_code == 0);
    CHECK(r.output.rfind(R"([{"id":1,"time":")", 0) == 0);
    CHECK(r.output.find(R"("source_queue":"urlhaus-parser-queue")") != std::string::npos);
    CHECK(r.output.find(R"("message":{"__type":"Report")") != std::string::npos);

    // Usage errors exit 2 and change nothing.
    CHECK(demo.ctl("dump show urlhaus-parser 2").exit_code == 2);
    CHECK(demo.ctl("dump show nobody").exit_code == 2);
    r = demo.ctl("dump replay urlhaus-parser");
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("or all") != std::string::npos);
    CHECK(demo.ctl("dump replay urlhaus-parser all --to ghost").exit_code == 2);
    r = demo.ctl("dump replay urlhaus-parser all --to urlhaus-collector");
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("urlhaus-collector is a collector") != std::string::npos);
    CHECK(count_lines(demo.dump("urlhaus-parser")) == 1);

    // Replay: the entry goes back into the parser's input queue and leaves the dump.
    r = demo.ctl("dump replay urlhaus-parser all --json");
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find(R"("to":"urlhaus-parser","transport":"file","replayed":[1],"damaged":[],"remaining":0)") !=
          std::string::npos);
    CHECK(count_lines(demo.dump("urlhaus-parser")) == 0);
    r = demo.ctl("list queues --json");
    CHECK(r.output.find(R"("urlhaus-parser-queue":{"bot":"urlhaus-parser","messages":1,)") != std::string::npos);

    // The parser takes it again (its raw is the bad row alone): back in the dump, no new event.
    r = demo.ctl("up --until-idle --timeout 60 urlhaus-parser taxonomy events-file events-sqlite ip-blocklist");
    CHECK(r.exit_code == 0);
    CHECK(count_lines(demo.dump("urlhaus-parser")) == 1);
    CHECK(count_lines(demo.dir / "var" / "events.jsonl") == 17);
    CHECK(demo.ctl("list queues --sum").output == "0\n");

    r = demo.ctl("dump delete urlhaus-parser 1");
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("deleted 1 entry") != std::string::npos);
    CHECK(count_lines(demo.dump("urlhaus-parser")) == 0);
    CHECK(demo.ctl("dump list").output.find("urlhaus-parser: 0 entries") != std::string::npos);
}

TEST_CASE("a fixed dead letter replayed through the pipeline reaches the outputs and a torn line stays") {
    Demo demo;
    std::filesystem::create_directories(demo.dir / "var" / "dump");
    // Two entries as a host writes them, then a line torn by a crash in the middle of an append.
    const std::string fixed =
        R"({"time":"2026-01-02T03:04:05+00:00","bot_id":"taxonomy","source_queue":"taxonomy-queue",)"
        R"("reason":"fixed by hand","message":{"__type":"Event","feed.name":"Replayed","source.ip":"192.0.2.99",)"
        R"("classification.type":"blacklist","time.observation":"2026-01-02T03:04:05+00:00"}})";
    const std::string other = R"({"time":"2026-01-02T03:04:06+00:00","bot_id":"taxonomy","source_queue":"",)"
                              R"("reason":"cannot decode: not JSON","message":"not json at all"})";
    sluice::test::write_file(demo.dump("taxonomy"), fixed + "\n" + other + "\n" + R"({"time":"2026-01-0)");

    auto r = demo.ctl("dump list --json");
    CHECK(r.output.find(R"({"bot":"taxonomy","entries":3,"damaged":1,)") != std::string::npos);
    r = demo.ctl("dump show taxonomy 2-3 --json");
    CHECK(r.output.find(R"({"id":2,)") != std::string::npos);
    CHECK(r.output.find(R"("message":"not json at all")") != std::string::npos);
    CHECK(r.output.find(R"({"id":3,"damaged":true,"line":"{\"time\":\"2026-01-0"})") != std::string::npos);

    // A damaged line cannot be replayed: exit 1, and it stays in the dump.
    r = demo.ctl("dump replay taxonomy 1,3 --to events-file");
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("entry 3 is damaged") != std::string::npos);
    // What went and what stayed, by number: the damaged line is one of the two left.
    CHECK(r.output.find("replayed 1 entry (1) of taxonomy's dump into events-file's input (file); 2 entries left "
                        "in the dump (1 damaged)") != std::string::npos);
    const std::string left = read_file(demo.dump("taxonomy"));
    CHECK(left == other + "\n" + R"({"time":"2026-01-0)" + "\n");

    // events-file writes the replayed event; the entry is gone from the dump.
    r = demo.ctl("up --until-idle --timeout 60 events-file");
    INFO(r.output);
    CHECK(r.exit_code == 0);
    const std::string events = read_file(demo.dir / "var" / "events.jsonl");
    CHECK(events.find(R"("source.ip":"192.0.2.99")") != std::string::npos);
    CHECK(events.find(R"("feed.name":"Replayed")") != std::string::npos);

    r = demo.ctl("dump delete taxonomy all --json");
    CHECK(r.exit_code == 0);
    CHECK(r.output.find(R"("deleted":[1,2],"remaining":0)") != std::string::npos);
    CHECK(read_file(demo.dump("taxonomy")).empty());
    // No temporary file is left behind by the rewrites.
    CHECK_FALSE(std::filesystem::exists(demo.dump("taxonomy").string() + ".tmp"));
}

TEST_CASE("entries a host dumps while sluicectl rewrites the dump are never lost") {
    Demo demo;
    const auto file = demo.dump("taxonomy");
    // The host's own dump writer (core's DumpFile), one commit per entry as fast as it goes.
    constexpr int kEntries = 1500;
    std::atomic<bool> appending{true};
    std::thread host([&] {
        sluice::DumpFile dump(file);
        for (int i = 0; i < kEntries; ++i) {
            dump.add("taxonomy", "taxonomy-queue", "entry " + std::to_string(i), "{\"n\":" + std::to_string(i) + "}",
                     true);
            dump.commit();
        }
        appending = false;
    });
    // Meanwhile an operator deletes the first entry, again and again: each rewrite replaces the file.
    int deleted = 0;
    while (appending) deleted += demo.ctl("dump delete taxonomy 1").exit_code == 0;
    host.join();
    INFO("deleted " << deleted);
    CHECK(deleted > 0);
    CHECK(count_lines(file) + static_cast<size_t>(deleted) == kEntries);
    auto r = demo.ctl("dump list --json");
    CHECK(r.output.find(R"("damaged":0,"file":")" + file.string()) != std::string::npos);
}

TEST_CASE("a bot name that leads out of var/dump is refused by every dump verb, and the file outside stays") {
    Demo demo;
    // A victim file two folders above var/dump that a traversal would read, replay or empty.
    const auto victim = demo.dir / "victim.jsonl";
    sluice::test::write_file(victim, "{\"keep\":\"me\"}\n");
    std::filesystem::create_directories(demo.dir / "var" / "dump");
    const std::string name = "../../victim";
    for (const std::string verb : {"show", "replay", "delete"}) {
        CAPTURE(verb);
        const auto r = demo.ctl("dump " + verb + " " + name + (verb == "show" ? "" : " 1"));
        CHECK(r.exit_code == 2);
        CHECK(r.output.find("'../../victim' is not a bot id") != std::string::npos);
    }
    CHECK(sluice::test::read_file(victim) == "{\"keep\":\"me\"}\n");
}

TEST_CASE("dump edit changes an entry by --set or in $EDITOR, checks it, and replays it") {
    Demo demo;
    std::filesystem::create_directories(demo.dir / "var" / "dump");
    const auto entry = [](const std::string& feed) {
        return R"({"time":"2026-01-02T03:04:05+00:00","bot_id":"taxonomy","source_queue":"taxonomy-queue",)"
               R"("reason":"wrong address","message":{"__type":"Event","feed.name":")" +
               feed +
               R"(","source.ip":"192.0.2.99","classification.type":"blacklist",)"
               R"("time.observation":"2026-01-02T03:04:05+00:00"}})";
    };
    sluice::test::write_file(demo.dump("taxonomy"), entry("BySet") + "\n" + entry("ByEditor") + "\n");
    const std::string before = read_file(demo.dump("taxonomy"));

    // A value the harmonization refuses changes nothing.
    auto r = demo.ctl("dump edit taxonomy 1 --set source.ip=not-an-ip --to events-file");
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("--set source.ip=not-an-ip: field 'source.ip': 'not-an-ip' is not a valid IPAddress") !=
          std::string::npos);
    CHECK(read_file(demo.dump("taxonomy")) == before);
    CHECK(demo.ctl("dump edit taxonomy 1-2 --set source.ip=192.0.2.1").exit_code == 2);  // one entry at a time

    r = demo.ctl("dump edit taxonomy 1 --set source.ip=192.0.2.98 --unset time.observation --to events-file");
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("edited entry 1 of taxonomy's dump and replayed it into events-file's input (file)") !=
          std::string::npos);
    CHECK(count_lines(demo.dump("taxonomy")) == 1);

    // The editor: whatever $EDITOR is, given the file; what it leaves must still be a message.
    const std::string edit = "dump edit taxonomy 1 --to events-file";
    r = run_command("EDITOR='sed -i s/__type/no_type/' " + sluice::test::sluicectl() + " --config " +
                    demo.config.string() + " " + edit);
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("the edited message is refused") != std::string::npos);
    CHECK(count_lines(demo.dump("taxonomy")) == 1);
    r = run_command("EDITOR='sed -i s/192.0.2.99/192.0.2.97/' " + sluice::test::sluicectl() + " --config " +
                    demo.config.string() + " " + edit);
    CHECK(r.exit_code == 0);
    CHECK(count_lines(demo.dump("taxonomy")) == 0);

    r = demo.ctl("up --until-idle --timeout 60 events-file");
    CHECK(r.exit_code == 0);
    const std::string events = read_file(demo.dir / "var" / "events.jsonl");
    CHECK(events.find(R"("feed.name":"BySet","source.ip":"192.0.2.98")") != std::string::npos);
    CHECK(events.find(R"("feed.name":"ByEditor","source.ip":"192.0.2.97")") != std::string::npos);
    // --unset took time.observation out of the first; the editor left the second's.
    const std::string by_set = events.substr(0, events.find('\n'));
    CHECK(by_set.find("BySet") != std::string::npos);
    CHECK(by_set.find("time.observation") == std::string::npos);
    CHECK(events.find(R"("time.observation":"2026-01-02T03:04:05+00:00")") != std::string::npos);
}
