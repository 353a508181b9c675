// SPDX-License-Identifier: AGPL-3.0-or-later
// expert_deduplicator through the real host code: IntelMQ's message hash byte for byte, duplicates
// dropped within the TTL and passed after it, the cache surviving a restart, blacklist/whitelist
// keys, bypass; and the cache file itself: expired records dropped, torn writes ignored, one owner.
#include <doctest/doctest.h>
#include <sluice/bot.h>
#include <sluice/core/bot_harness.hpp>
#include <sluice/core/defaults.hpp>
#include <sluice/core/harmonization.hpp>
#include <sluice/core/message.hpp>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../cache_record.hpp"
#include "../hash_cache.hpp"
#include "test_support.hpp"

namespace {

using sluice::BotHarness;
using sluice::test::TempDir;

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Values of every JSON type IntelMQ hashes differently ('80' vs 80, 100.0, True, dicts, quotes).
const std::string kTyped =
    R"({"__type":"Event","source.ip":"192.0.2.1","source.port":80,"feed.accuracy":100.0,"source.tor_node":true,)"
    R"("extra.obj":{"a":[1,2.5,"x'y"],"b":null,"c":false},"extra.s":"it's \"q\"","extra.f":1e-05,)"
    R"("extra.big":1e16,"comment":"tab\there \u00e9 \u00a0 end","classification.type":"c2-server",)"
    R"("time.observation":"2015-01-01T13:37:00+00:00"})";

sluice::Message decoded(const std::string& json) {
    static const sluice::Harmonization h = sluice::Harmonization::load(sluice::default_harmonization_file());
    sluice::Message m(sluice::MessageType::event, h);
    std::string why;
    REQUIRE_MESSAGE(sluice::Message::decode(json, m, why), why);
    return m;
}

std::string repr_of(const sluice::Message& m, const std::string& key) {
    const sluice::Field* f = m.find(key);
    REQUIRE_MESSAGE(f != nullptr, key);
    return sluice::python_repr(m, *f);
}

std::string event(const std::string& ip, const std::string& extra = "") {
    return R"({"__type":"Event","classification.identifier":"zeus","source.ip":")" + ip +
           R"(","time.observation":"2015-01-01T13:37:00+00:00")" + extra + "}";
}

std::string params(const TempDir& dir, const std::string& more = "") {
    return R"({"cache_path":")" + (dir / "dedup.cache").string() + "\"" + more + "}";
}

size_t sent(BotHarness& bot, const std::vector<std::string>& messages) {
    const auto r = bot.process(messages);
    REQUIRE(r.failed.empty());
    return r.on("_default").size();
}

}  // namespace

TEST_CASE("dedup: values are written as Python's repr writes them") {
    const auto m = decoded(kTyped);
    CHECK(repr_of(m, "source.ip") == "'192.0.2.1'");
    CHECK(repr_of(m, "source.port") == "80");
    CHECK(repr_of(m, "feed.accuracy") == "100.0");
    CHECK(repr_of(m, "source.tor_node") == "True");
    CHECK(repr_of(m, "extra.obj") == R"({'a': [1, 2.5, "x'y"], 'b': None, 'c': False})");
    CHECK(repr_of(m, "extra.s") == R"('it\'s "q"')");
    CHECK(repr_of(m, "extra.f") == "1e-05");
    CHECK(repr_of(m, "extra.big") == "1e+16");
    CHECK(repr_of(m, "comment") == "'tab\\there \xc3\xa9 \\xa0 end'");

    const auto floats =
        decoded(R"({"__type":"Event","extra.a":1e15,"extra.b":0.0001,"extra.c":1.5e-07,"extra.d":123456789.123,)"
                R"("extra.e":-2.5e100,"extra.f":1e22,"extra.g":5.22,"extra.h":-0,"extra.i":12345678901234567890})");
    CHECK(repr_of(floats, "extra.a") == "1000000000000000.0");
    CHECK(repr_of(floats, "extra.b") == "0.0001");
    CHECK(repr_of(floats, "extra.c") == "1.5e-07");
    CHECK(repr_of(floats, "extra.d") == "123456789.123");
    CHECK(repr_of(floats, "extra.e") == "-2.5e+100");
    CHECK(repr_of(floats, "extra.f") == "1e+22");
    CHECK(repr_of(floats, "extra.g") == "5.22");
    CHECK(repr_of(floats, "extra.h") == "0");
    CHECK(repr_of(floats, "extra.i") == "12345678901234567890");
}

TEST_CASE("dedup: the message hash is IntelMQ's Message.hash, byte for byte") {
    // Expected values from CPython: intelmq.lib.message.Message.hash on the same decoded values.
    const auto m = decoded(kTyped);
    CHECK(sluice::message_hash(m, {"raw", "time.observation"}, sluice::HashKeys::blacklist) ==
          "8cc238c609dacacf099fa3236ec9ff827981c5daeab678456395602c92e0a495");
    CHECK(sluice::message_hash(m, {"source.ip", "source.port"}, sluice::HashKeys::whitelist) ==
          "d38aae6441c5982f3325b5d1705fbb8ab1dfb3cfe165a12d54d773e02f21de99");
    // IntelMQ's own test values (tests/bots/experts/deduplicator): time.observation never counts.
    CHECK(sluice::message_hash(decoded(event("192.0.2.1")), {}, sluice::HashKeys::blacklist) ==
          "d70dc2d2a85dc0c01be141cbf43405aee4b32bff301bcf5b77caf1df7fdda555");
}

TEST_CASE("dedup: a duplicate within the TTL is dropped, another event passes") {
    TempDir dir("sluice-dedup");
    BotHarness bot("expert_deduplicator", params(dir));
    const auto r = bot.process({event("192.0.2.1"), event("192.0.2.1"), event("192.0.2.2")});
    REQUIRE(r.failed.empty());
    REQUIRE(r.on("_default").size() == 2);
    CHECK(r.on("_default")[0].find("192.0.2.1") != std::string::npos);
    CHECK(r.on("_default")[1].find("192.0.2.2") != std::string::npos);
    // later batches see the earlier ones
    CHECK(sent(bot, {event("192.0.2.2")}) == 0);
}

TEST_CASE("dedup: a hash IntelMQ computed drops the event: the host hashes as IntelMQ does") {
    TempDir dir("sluice-dedup");
    std::string file(sluice::dedup::kCacheHeader);
    sluice::dedup::append_record(file, "742b8767986bbe3bd776197ceafcaf0c1f4217c5c228556ab11140512a6f1378",
                                 now_ms() + 3600 * 1000);
    sluice::test::write_file(dir / "dedup.cache", file);
    BotHarness bot("expert_deduplicator", params(dir));
    CHECK(sent(bot, {event("192.168.0.4")}) == 0);
    CHECK(sent(bot, {event("192.0.2.1")}) == 1);
}

TEST_CASE("dedup: an event passes again once its TTL is over") {
    TempDir dir("sluice-dedup");
    BotHarness bot("expert_deduplicator", params(dir, R"(,"redis_cache_ttl":1)"));
    CHECK(sent(bot, {event("192.0.2.1")}) == 1);
    CHECK(sent(bot, {event("192.0.2.1")}) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    CHECK(sent(bot, {event("192.0.2.1")}) == 1);
    CHECK(sent(bot, {event("192.0.2.1")}) == 0);
}

TEST_CASE("dedup: the cache survives a restart") {
    TempDir dir("sluice-dedup");
    {
        BotHarness first("expert_deduplicator", params(dir));
        CHECK(sent(first, {event("192.0.2.1"), event("192.0.2.2")}) == 2);
    }
    BotHarness second("expert_deduplicator", params(dir));
    CHECK(sent(second, {event("192.0.2.1"), event("192.0.2.2"), event("192.0.2.3")}) == 1);
}

TEST_CASE("dedup: a batch whose events never became durable downstream is not remembered") {
    // The host died after the deduplicator processed the batch but before its output was durable:
    // the batch comes again and must pass, or its events would be dropped as their own duplicates.
    TempDir dir("sluice-dedup");
    {
        BotHarness first("expert_deduplicator", params(dir));
        CHECK(first.process({event("192.0.2.1"), event("192.0.2.2")}, /*durable*/ false).sent["_default"].size() == 2);
    }
    {
        BotHarness second("expert_deduplicator", params(dir));
        CHECK(sent(second, {event("192.0.2.1"), event("192.0.2.2")}) == 2);
    }
    // This time they became durable, so they are remembered.
    BotHarness third("expert_deduplicator", params(dir));
    CHECK(sent(third, {event("192.0.2.1"), event("192.0.2.2")}) == 0);
}

TEST_CASE("dedup: blacklisted keys and time.observation do not count, whitelisted keys are all that counts") {
    TempDir dir("sluice-dedup");
    {
        BotHarness bot("expert_deduplicator", params(dir, R"(,"filter_type":"blacklist","filter_keys":"extra.id")"));
        CHECK(sent(bot, {event("192.0.2.1", R"(,"extra.id":1)"), event("192.0.2.1", R"(,"extra.id":2)")}) == 1);
        // time.observation never counts, listed or not
        auto later = event("192.0.2.1", R"(,"extra.id":3)");
        later.replace(later.find("2015-01-01"), 10, "2020-02-02");
        CHECK(sent(bot, {later}) == 0);
        // a field outside the blacklist does
        CHECK(sent(bot, {event("192.0.2.1", R"(,"extra.other":1)")}) == 1);
    }
    TempDir dir2("sluice-dedup");
    BotHarness bot("expert_deduplicator", params(dir2, R"(,"filter_type":"whitelist","filter_keys":"source.ip, ")"));
    CHECK(sent(bot, {event("192.0.2.1"), event("192.0.2.1", R"(,"extra.id":2)")}) == 1);
    CHECK(sent(bot, {event("192.0.2.9", R"(,"extra.id":2)")}) == 1);
}

TEST_CASE("dedup: bypass sends every event on and keeps no cache") {
    TempDir dir("sluice-dedup");
    BotHarness bot("expert_deduplicator", params(dir, R"(,"bypass":true)"));
    CHECK(sent(bot, {event("192.0.2.1"), event("192.0.2.1")}) == 2);
    CHECK_FALSE(std::filesystem::exists(dir / "dedup.cache"));
}

TEST_CASE("dedup: a configuration IntelMQ would take, redis parameters included, starts, a bad filter_type does not") {
    TempDir dir("sluice-dedup");
    CHECK_NOTHROW(
        BotHarness("expert_deduplicator",
                   params(dir, R"(,"redis_cache_host":"127.0.0.1","redis_cache_port":6379,)"
                               R"("redis_cache_db":4,"redis_cache_password":"x","redis_cache_ttl":"86400")")));
    CHECK_THROWS_WITH_AS(BotHarness("expert_deduplicator", params(dir, R"(,"filter_type":"greylist")")),
                         doctest::Contains("filter_type"), std::runtime_error);
}

TEST_CASE("dedup: a second deduplicator on the same cache file is refused") {
    TempDir dir("sluice-dedup");
    BotHarness first("expert_deduplicator", params(dir));
    CHECK_THROWS_WITH_AS(BotHarness("expert_deduplicator", params(dir)), doctest::Contains("in use"),
                         std::runtime_error);
}

TEST_CASE("dedup: cache file: expired records are dropped on load, a mostly expired file is compacted") {
    TempDir dir("sluice-dedup");
    const auto path = dir / "c.cache";
    const int64_t now = now_ms();
    std::string file(sluice::dedup::kCacheHeader);
    for (int i = 0; i < 3000; ++i) sluice::dedup::append_record(file, "old" + std::to_string(i), now - 1000);
    sluice::dedup::append_record(file, "live", now + 60000);
    sluice::dedup::append_record(file, "forever", sluice::dedup::kNeverExpires);
    sluice::test::write_file(path, file);
    {
        sluice::dedup::HashCache cache(path, now);
        CHECK(cache.contains("live", now));
        CHECK(cache.contains("forever", now + 1000000000));
        CHECK_FALSE(cache.contains("old1", now));
        CHECK(cache.size() == 2);
        CHECK(cache.file_records() == 2);
    }
    CHECK(sluice::test::count_lines(path) == 3);  // header + the two live records
}

TEST_CASE("dedup: cache file: a torn last record is ignored, and what is flushed is read back") {
    TempDir dir("sluice-dedup");
    const auto path = dir / "c.cache";
    const int64_t now = now_ms();
    std::string file(sluice::dedup::kCacheHeader);
    sluice::dedup::append_record(file, "whole", now + 60000);
    file += "torn 12";  // a crash in the middle of a write
    sluice::test::write_file(path, file);
    {
        sluice::dedup::HashCache cache(path, now);
        CHECK(cache.contains("whole", now));
        CHECK_FALSE(cache.contains("torn", now));
        cache.insert("new", now + 60000);
        CHECK(cache.contains("new", now));
        cache.flush(now);
    }
    sluice::dedup::HashCache again(path, now);
    CHECK(again.contains("whole", now));
    CHECK(again.contains("new", now));
    CHECK_FALSE(again.contains("whole", now + 60000));
}

TEST_CASE("dedup: cache file: a file that is not a cache is refused, not overwritten") {
    TempDir dir("sluice-dedup");
    sluice::test::write_file(dir / "notes.txt", "my notes\n");
    CHECK_THROWS_WITH_AS(sluice::dedup::HashCache(dir / "notes.txt", now_ms()), doctest::Contains("not a cache file"),
                         std::runtime_error);
    CHECK(sluice::test::read_file(dir / "notes.txt") == "my notes\n");
}

TEST_CASE("dedup: cache file: a running cache compacts its file once most records have expired") {
    TempDir dir("sluice-dedup");
    const auto path = dir / "c.cache";
    const int64_t now = now_ms();
    sluice::dedup::HashCache cache(path, now);
    for (int i = 0; i < 1000; ++i) cache.insert("short" + std::to_string(i), now + 10);
    cache.flush(now);
    CHECK(sluice::test::count_lines(path) == 1001);
    for (int i = 0; i < 100; ++i) cache.insert("long" + std::to_string(i), now + 60000);
    cache.flush(now + 20);  // the first 1000 have expired: the file is rewritten with the 100 others
    CHECK(cache.file_records() == 100);
    CHECK(sluice::test::count_lines(path) == 101);
    CHECK(cache.take_warning().empty());
    cache.insert("after", now + 60000);  // and appending goes on into the new file
    cache.flush(now + 20);
    CHECK(sluice::test::count_lines(path) == 102);
}

TEST_CASE("dedup: the key table keeps hash keys and any other key, through erasures and growth") {
    sluice::dedup::KeyTable table;
    const auto hex_key = [](int i) {
        char buf[65];
        std::snprintf(buf, sizeof buf, "%08x%056x", i * 2654435761u, i);  // 64 lowercase hex digits
        return std::string(buf);
    };
    for (int i = 0; i < 5000; ++i) table.set(hex_key(i), 1000 + i);
    table.set("not-a-hash", 7);
    table.set(std::string(64, 'A'), 8);  // uppercase hex: kept as it is, not as a digest
    CHECK(table.size() == 5002);
    REQUIRE(table.find(hex_key(4321)) != nullptr);
    CHECK(*table.find(hex_key(4321)) == 1000 + 4321);
    CHECK(table.find(hex_key(5000)) == nullptr);
    CHECK(*table.find("not-a-hash") == 7);
    table.set(hex_key(10), 99);  // a second set replaces
    CHECK(*table.find(hex_key(10)) == 99);
    CHECK(table.size() == 5002);

    // Erased entries are gone, and what was stored behind them on a probe is still found.
    for (int i = 0; i < 5000; i += 2) table.erase(hex_key(i));
    table.erase_if([](int64_t expiry) { return expiry == 7; });
    CHECK(table.size() == 2501);
    CHECK(table.find(hex_key(0)) == nullptr);
    CHECK(table.find("not-a-hash") == nullptr);
    for (int i = 1; i < 5000; i += 2) REQUIRE(table.find(hex_key(i)) != nullptr);
    for (int i = 5000; i < 12000; ++i) table.set(hex_key(i), i);  // grows over the erased slots
    CHECK(table.size() == 2501 + 7000);

    // for_each gives every key back as it was stored.
    size_t seen = 0;
    bool all_found = true;
    table.for_each([&](std::string_view key, int64_t expiry) {
        ++seen;
        const int64_t* stored = table.find(key);
        all_found = all_found && stored && *stored == expiry;
    });
    CHECK(seen == table.size());
    CHECK(all_found);
    CHECK(*table.find(std::string(64, 'A')) == 8);
}
