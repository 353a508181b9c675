// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The file queue on a full disk, on the simulated disk of crash_disk.hpp with a capacity: appends
// wait below the reserve instead of failing and write nothing of a batch they cannot place; the
// consumer's files need no new blocks; a drained segment is given back under pressure, so that
// waiting producers get room again; an all but empty queue takes pieces from the reserve.
// (test_disk_full_pipeline does the same with real bots on a real small file system.)
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "crash_disk.hpp"
#include "sluice/brokers/file_queue.hpp"

using namespace std::chrono_literals;
using sluice::test::CrashDisk;

namespace {

constexpr const char* kQueue = "/var/q";

std::string record(size_t id) {
    std::string out = std::to_string(id) + ':';
    out.resize(1000, static_cast<char>('a' + id % 26));
    return out;
}

struct Watch {
    std::vector<bool> disk_full;  // each call of on_disk_full
    std::vector<std::string> log;
};

sluice::FileQueueOptions options_on(CrashDisk& disk, Watch& watch, uint64_t reserve) {
    sluice::FileQueueOptions options;
    options.segment_bytes = 32 << 10;
    options.reserve_bytes = reserve;
    options.reserve_percent = 100;
    options.poll_interval = 1ms;
    options.file_system = &disk;
    options.on_disk_full = [&watch](bool full) { watch.disk_full.push_back(full); };
    options.log = [&watch](sluice::LogLevel, const std::string& line) { watch.log.push_back(line); };
    return options;
}

// Gives up an append only after it has been waiting a few rounds.
sluice::StopToken stop_after_waiting(const Watch& watch) {
    auto rounds = std::make_shared<int>(0);
    return [&watch, rounds] { return !watch.disk_full.empty() && watch.disk_full.back() && ++*rounds > 3; };
}

bool append_one(sluice::QueueProducer& producer, size_t id, const sluice::StopToken& stop) {
    const std::string bytes = record(id);
    return producer.append({bytes}, stop);
}

std::vector<std::string> drain(sluice::QueueConsumer& consumer) {
    std::vector<std::string> out;
    for (;;) {
        const auto& views = consumer.take(16, 0ms);
        if (views.empty()) return out;
        out.insert(out.end(), views.begin(), views.end());
        consumer.ack();
    }
}

}  // namespace

TEST_CASE("below the reserve an append waits, writes nothing, and goes on once the consumer has freed space") {
    CrashDisk disk;
    disk.capacity = 200 << 10;
    Watch watch;
    auto producer = sluice::open_file_producer(kQueue, options_on(disk, watch, 40 << 10));
    auto consumer = sluice::open_file_consumer(kQueue, options_on(disk, watch, 40 << 10));

    size_t appended = 0;
    while (append_one(*producer, appended, stop_after_waiting(watch))) ++appended;
    INFO("appended " << appended << " records before the disk was full");
    CHECK(appended > 100);
    CHECK(disk.capacity - disk.used_bytes() < (40 << 10) + 1016);  // stopped at the reserve, not before
    CHECK(disk.capacity - disk.used_bytes() > (40 << 10) / 2);     // and left most of it
    REQUIRE(watch.disk_full == std::vector<bool>{true, false});
    REQUIRE(watch.log.size() == 1);
    CHECK(watch.log[0].find("disk full") != std::string::npos);
    CHECK(watch.log[0].find(kQueue) != std::string::npos);

    // The consumer can acknowledge on the full disk, and deleting its segments frees the space.
    const std::vector<std::string> first = drain(*consumer);
    REQUIRE(first.size() == appended);
    for (size_t i = 0; i < first.size(); ++i) REQUIRE(first[i] == record(i));

    watch.disk_full.clear();
    for (size_t i = 0; i < 20; ++i) REQUIRE(append_one(*producer, appended + i, stop_after_waiting(watch)));
    CHECK(watch.disk_full.empty());
    const std::vector<std::string> second = drain(*consumer);
    REQUIRE(second.size() == 20);
    CHECK(second.front() == record(appended));
}

TEST_CASE("a producer waiting for space goes on by itself when the space comes back") {
    CrashDisk disk;
    disk.capacity = 120 << 10;
    Watch watch;
    auto producer = sluice::open_file_producer(kQueue, options_on(disk, watch, 20 << 10));
    size_t appended = 0;
    while (append_one(*producer, appended, stop_after_waiting(watch))) ++appended;
    // The space grows while the next append waits (another file on the disk was deleted).
    int rounds = 0;
    const sluice::StopToken grow = [&] {
        if (++rounds == 5) disk.capacity += 64 << 10;
        return rounds > 10000;
    };
    watch.disk_full.clear();
    watch.log.clear();
    REQUIRE(append_one(*producer, appended, grow));
    CHECK(rounds >= 5);
    CHECK(watch.disk_full == std::vector<bool>{true, false});
    REQUIRE(watch.log.size() == 2);
    CHECK(watch.log[1].find("room on the disk again") != std::string::npos);
    auto consumer = sluice::open_file_consumer(kQueue, options_on(disk, watch, 20 << 10));
    CHECK(drain(*consumer).size() == appended + 1);
}

TEST_CASE("the cursor and the synced mark have their blocks when the queue opens, so acknowledging needs none") {
    CrashDisk disk;
    Watch watch;
    auto producer = sluice::open_file_producer(kQueue, options_on(disk, watch, 0));
    auto consumer = sluice::open_file_consumer(kQueue, options_on(disk, watch, 0));
    const auto& image = disk.image();
    for (const char* name : {"/var/q/cursor", "/var/q/synced"}) {
        INFO(name);
        REQUIRE(image.entries.count(name));
        CHECK(image.inodes.at(image.entries.at(name)).allocated >= 4096 + 40);
    }
    // With not one byte left, records appended before can still be taken and acknowledged.
    for (size_t i = 0; i < 10; ++i) REQUIRE(append_one(*producer, i, {}));
    disk.capacity = disk.used_bytes();
    CHECK(drain(*consumer).size() == 10);
}

TEST_CASE("on a nearly full disk a drained newest segment is given back, with room to spare it stays") {
    for (const bool pressure : {true, false}) {
        CAPTURE(pressure);
        CrashDisk disk;
        disk.capacity = pressure ? 128 << 10 : 64 << 20;
        Watch watch;
        sluice::FileQueueOptions options = options_on(disk, watch, 20 << 10);
        // One segment (the smallest a 128 KiB disk gets): only giving it back frees anything.
        options.segment_bytes = 64 << 10;
        auto producer = sluice::open_file_producer(kQueue, options);
        auto consumer = sluice::open_file_consumer(kQueue, options);
        for (size_t i = 0; i < 60; ++i) REQUIRE(append_one(*producer, i, {}));
        const uint64_t used_full = disk.used_bytes();
        REQUIRE(drain(*consumer).size() == 60);
        std::vector<std::string> names;
        REQUIRE(disk.list(kQueue, names));
        const std::set<std::string> files(names.begin(), names.end());
        if (pressure) {
            CHECK(!files.count("seg-00000000000000000001.log"));
            CHECK(files.count("seg-00000000000000000002.log"));
        } else {
            CHECK(files.count("seg-00000000000000000001.log"));
            CHECK(!files.count("seg-00000000000000000002.log"));
        }
        // Appends and the consumer go on in the new segment; nothing comes twice.
        for (size_t i = 60; i < 70; ++i) REQUIRE(append_one(*producer, i, {}));
        // The producer lets go of the drained file with its next append: its blocks are free then.
        if (pressure) CHECK(disk.used_bytes() < used_full - 45 * 1000);
        const std::vector<std::string> more = drain(*consumer);
        REQUIRE(more.size() == 10);
        CHECK(more.front() == record(60));
        consumer.reset();
        consumer = sluice::open_file_consumer(kQueue, options);
        CHECK(drain(*consumer).empty());
    }
}

TEST_CASE("below the reserve a full queue waits while an all but empty one still takes a piece of a batch") {
    CrashDisk disk;
    disk.capacity = 300 << 10;
    Watch watch;
    const sluice::FileQueueOptions options = options_on(disk, watch, 80 << 10);
    // The queue before a bot fills the disk to its reserve (the collector's, in a pipeline).
    auto upstream = sluice::open_file_producer("/var/full", options);
    size_t appended = 0;
    while (append_one(*upstream, appended, stop_after_waiting(watch))) ++appended;
    REQUIRE(disk.capacity - disk.used_bytes() < (80 << 10) + 1016);
    // The bot's output queue is empty: a batch of 100 records (100 KB) goes in pieces of at most
    // 64 KiB, each taken when the consumer has emptied the queue again.
    auto downstream = sluice::open_file_producer("/var/empty", options);
    auto consumer = sluice::open_file_consumer("/var/empty", options);
    std::vector<std::string> batch;
    for (size_t i = 0; i < 100; ++i) batch.push_back(record(i));
    const std::vector<std::string_view> views(batch.begin(), batch.end());
    std::vector<std::string> got;
    bool drained_between_pieces = false;
    int rounds = 0;
    const sluice::StopToken drain_while_waiting = [&] {
        if (++rounds > 2000) return true;  // gives up: the batch found no room
        const std::vector<std::string> more = drain(*consumer);
        drained_between_pieces = drained_between_pieces || !more.empty();
        got.insert(got.end(), more.begin(), more.end());
        return false;
    };
    REQUIRE(downstream->append(views, drain_while_waiting));
    const std::vector<std::string> rest = drain(*consumer);
    got.insert(got.end(), rest.begin(), rest.end());
    CHECK(drained_between_pieces);
    CHECK(got == batch);
    // It never went into the last quarter of the reserve.
    CHECK(disk.capacity - disk.used_bytes() > (20 << 10));
    // The full queue still waits: the band is not for it.
    watch.disk_full.clear();
    CHECK_FALSE(append_one(*upstream, appended, stop_after_waiting(watch)));
}

TEST_CASE("a drained segment goes at once when the producer has started the next and waits for room there") {
    CrashDisk disk;
    Watch watch;
    const sluice::FileQueueOptions options = options_on(disk, watch, 0);
    auto producer = sluice::open_file_producer(kQueue, options);
    auto consumer = sluice::open_file_consumer(kQueue, options);
    // 33 records of 1,016 bytes fill the first 32 KiB segment; all are taken and acknowledged.
    for (size_t i = 0; i < 33; ++i) REQUIRE(append_one(*producer, i, {}));
    REQUIRE(drain(*consumer).size() == 33);
    // The next append starts the second segment and then finds no room for its record.
    disk.capacity = disk.used_bytes();
    CHECK_FALSE(append_one(*producer, 33, stop_after_waiting(watch)));
    const auto segments = [&] {
        std::vector<std::string> names;
        REQUIRE(disk.list(kQueue, names));
        return std::set<std::string>(names.begin(), names.end());
    };
    REQUIRE(segments().count("seg-00000000000000000002.log"));
    REQUIRE(segments().count("seg-00000000000000000001.log"));
    // The consumer, finding nothing new, moves its cursor into the second segment and the first goes:
    // otherwise its blocks stay until a record comes, and none can come on this disk.
    CHECK(drain(*consumer).empty());
    CHECK_FALSE(segments().count("seg-00000000000000000001.log"));
    disk.capacity += 64 << 10;
    REQUIRE(append_one(*producer, 33, {}));
    CHECK(drain(*consumer) == std::vector<std::string>{record(33)});
    consumer.reset();
    consumer = sluice::open_file_consumer(kQueue, options);
    CHECK(drain(*consumer).empty());
}
