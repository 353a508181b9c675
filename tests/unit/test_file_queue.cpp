// SPDX-License-Identifier: AGPL-3.0-or-later
// The durable file queue (brokers/file): framing, redelivery, acks, segment deletion, torn-tail
// repair, several producers, the single-consumer lock, back-pressure and stats.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "sluice/brokers/file_queue.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using sluice::FileQueueOptions;
using sluice::QueueError;
using sluice::test::TempDir;

namespace {

const sluice::StopToken never_stop = [] { return false; };

// Binary payloads of varying length, NUL bytes included, distinct for each index.
std::string payload(size_t index, size_t max_length = 700) {
    const size_t length = 1 + (index * 7919) % max_length;
    std::string out = std::to_string(index) + '\0';
    for (size_t k = 0; out.size() < length; ++k) out.push_back(static_cast<char>((index * 31 + k * 17) & 0xff));
    out.resize(std::max(length, out.size()));
    return out;
}

std::vector<std::string> payloads(size_t first, size_t count, size_t max_length = 700) {
    std::vector<std::string> out;
    for (size_t i = first; i < first + count; ++i) out.push_back(payload(i, max_length));
    return out;
}

void append_all(sluice::QueueProducer& producer, const std::vector<std::string>& records, size_t batch) {
    for (size_t i = 0; i < records.size(); i += batch) {
        std::vector<std::string_view> views;
        for (size_t j = i; j < std::min(records.size(), i + batch); ++j) views.emplace_back(records[j]);
        REQUIRE(producer.append(views, never_stop));
    }
}

std::vector<std::string> take_copy(sluice::QueueConsumer& consumer, size_t max, std::chrono::milliseconds wait = 0ms) {
    const auto& views = consumer.take(max, wait);
    return {views.begin(), views.end()};
}

// Everything available right now, without acknowledging it.
std::vector<std::string> drain(sluice::QueueConsumer& consumer, size_t per_take = 100) {
    std::vector<std::string> all;
    for (;;) {
        auto batch = take_copy(consumer, per_take);
        if (batch.empty()) return all;
        all.insert(all.end(), batch.begin(), batch.end());
    }
}

std::vector<fs::path> segment_files(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().filename().string().starts_with("seg-")) out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

void append_bytes(const fs::path& file, const std::string& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::app);
    out << bytes;
    REQUIRE(out.good());
}

std::string le32(uint32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    return s;
}

// A record as the queue frames it on disk: the one segment of a scratch queue holding only it.
std::string encoded(const std::string& record) {
    TempDir scratch;
    append_all(*sluice::open_file_producer(scratch.path()), {record}, 1);
    return sluice::test::read_file(segment_files(scratch.path()).at(0));
}

// Checks that `got` is `sent` with exactly one record left out, the rest intact and in order;
// returns the index of the one missing.
size_t single_missing(const std::vector<std::string>& got, const std::vector<std::string>& sent) {
    REQUIRE(got.size() == sent.size() - 1);
    size_t missing = 0;
    while (missing < got.size() && got[missing] == sent[missing]) ++missing;
    CHECK(std::equal(got.begin() + missing, got.end(), sent.begin() + missing + 1));
    return missing;
}

uint64_t framed_bytes(const std::vector<std::string>& records) {
    uint64_t total = 0;
    for (const auto& r : records) total += 16 + r.size();
    return total;
}

}  // namespace

TEST_CASE("records come back exactly as written across many segment rotations") {
    TempDir dir;
    FileQueueOptions options;
    options.segment_bytes = 4096;
    const auto records = payloads(0, 3000);
    append_all(*sluice::open_file_producer(dir.path(), options), records, 37);
    CHECK(segment_files(dir.path()).size() > 50);

    auto consumer = sluice::open_file_consumer(dir.path(), options);
    const auto got = drain(*consumer, 64);
    REQUIRE(got.size() == records.size());
    for (size_t i = 0; i < records.size(); ++i) REQUIRE(got[i] == records[i]);
    CHECK(consumer->take(10, 20ms).empty());
}

TEST_CASE("NUL-only, one-byte and records larger than a segment and a read chunk survive intact") {
    TempDir dir;
    FileQueueOptions options;
    options.segment_bytes = 64 << 10;
    std::string big(3 << 20, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131) >> 3);
    const std::vector<std::string> records = {
        std::string(1, '\0'), std::string(5, '\0'), "x", std::string("a\0b\0", 4), big, "after the big one"};
    append_all(*sluice::open_file_producer(dir.path(), options), records, 2);
    auto consumer = sluice::open_file_consumer(dir.path(), options);
    CHECK(drain(*consumer, 3) == records);
}

TEST_CASE("an empty record is refused and nothing of its batch is written") {
    TempDir dir;
    auto producer = sluice::open_file_producer(dir.path());
    const std::vector<std::string_view> batch = {"ok", ""};
    CHECK_THROWS_AS(producer->append(batch, never_stop), QueueError);
    CHECK(sluice::file_queue_stats(dir.path()).records == 0);
}

TEST_CASE("take without ack continues, and a new consumer gets the same records again") {
    TempDir dir;
    const auto records = payloads(0, 50);
    append_all(*sluice::open_file_producer(dir.path()), records, 10);
    {
        auto consumer = sluice::open_file_consumer(dir.path());
        const auto first = take_copy(*consumer, 20);
        const auto second = take_copy(*consumer, 10);
        REQUIRE(first.size() == 20);
        REQUIRE(second.size() == 10);
        CHECK(first.front() == records[0]);
        CHECK(second.front() == records[20]);
    }
    auto consumer = sluice::open_file_consumer(dir.path());
    CHECK(drain(*consumer) == records);
}

TEST_CASE("acknowledged records are not delivered again") {
    TempDir dir;
    const auto records = payloads(0, 50);
    append_all(*sluice::open_file_producer(dir.path()), records, 10);
    {
        auto consumer = sluice::open_file_consumer(dir.path());
        REQUIRE(take_copy(*consumer, 20).size() == 20);
        consumer->ack();
        REQUIRE(take_copy(*consumer, 5).size() == 5);  // taken, never acknowledged
    }
    {
        auto consumer = sluice::open_file_consumer(dir.path());
        const auto rest = drain(*consumer);
        CHECK(rest == std::vector<std::string>(records.begin() + 20, records.end()));
        consumer->ack();
    }
    auto consumer = sluice::open_file_consumer(dir.path());
    CHECK(consumer->take(10, 20ms).empty());
}

TEST_CASE("ack_oldest acknowledges the oldest take only, and later takes come again") {
    TempDir dir;
    const auto records = payloads(0, 50);
    append_all(*sluice::open_file_producer(dir.path()), records, 10);
    {
        auto consumer = sluice::open_file_consumer(dir.path());
        REQUIRE(take_copy(*consumer, 20).size() == 20);
        REQUIRE(take_copy(*consumer, 15).size() == 15);
        consumer->ack_oldest();  // the first take: records 0..19
        const auto third = take_copy(*consumer, 5);
        REQUIRE(third.size() == 5);
        CHECK(third.front() == records[35]);  // the views of the current take are unaffected
    }
    auto consumer = sluice::open_file_consumer(dir.path());
    const auto rest = drain(*consumer);
    CHECK(rest == std::vector<std::string>(records.begin() + 20, records.end()));
}

TEST_CASE("send writes at once and syncs later: on wait_durable, or before moving to a new segment") {
    TempDir dir;
    FileQueueOptions options;
    options.segment_bytes = 4096;
    auto producer = sluice::open_file_producer(dir.path(), options);
    const auto records = payloads(0, 3, 100);
    uint64_t t1 = 0, t2 = 0;
    REQUIRE(producer->send({records[0]}, never_stop, t1));
    REQUIRE(producer->send({records[1]}, never_stop, t2));
    CHECK(t1 < t2);
    CHECK(producer->durable() < t1);  // written, not yet synced
    {
        // A consumer reads written records at once, as it always could between write and sync.
        auto consumer = sluice::open_file_consumer(dir.path(), options);
        CHECK(take_copy(*consumer, 10) == std::vector<std::string>{records[0], records[1]});
    }
    REQUIRE(producer->wait_durable(t1, never_stop));
    CHECK(producer->durable() >= t2);  // one sync covers everything written before it

    // Filling the segment: the batch that goes into the next one syncs the one left behind first.
    const std::string big(5000, 'x');
    uint64_t t3 = 0, t4 = 0;
    REQUIRE(producer->send({big}, never_stop, t3));
    CHECK(producer->durable() < t3);
    REQUIRE(producer->send({records[2]}, never_stop, t4));  // starts segment 2
    CHECK(producer->durable() >= t3);
    CHECK(producer->durable() < t4);
    producer->sync();  // what a host does when no input waits: commits everything sent, not waiting
    CHECK(producer->durable() >= t4);
    auto consumer = sluice::open_file_consumer(dir.path(), options);
    CHECK(drain(*consumer) == std::vector<std::string>{records[0], records[1], big, records[2]});
}

TEST_CASE("a torn cursor slot falls back to the previous acknowledgement") {
    TempDir dir;
    const auto records = payloads(0, 30);
    append_all(*sluice::open_file_producer(dir.path()), records, 10);
    {
        auto consumer = sluice::open_file_consumer(dir.path());
        REQUIRE(take_copy(*consumer, 10).size() == 10);
        consumer->ack();
        REQUIRE(take_copy(*consumer, 10).size() == 10);
        consumer->ack();
    }
    // Damage one byte in each slot in turn: whichever holds the newest ack, the other must be used.
    std::string cursor = sluice::test::read_file(dir / "cursor");
    REQUIRE(cursor.size() >= 4096 + 32);
    auto with_damage = [&](size_t at) {
        std::string copy = cursor;
        copy[at] ^= 0x5a;
        sluice::test::write_file(dir / "cursor", copy);
        auto consumer = sluice::open_file_consumer(dir.path());
        return take_copy(*consumer, 1).at(0);
    };
    const std::string a = with_damage(20);
    const std::string b = with_damage(4096 + 20);
    CHECK(((a == records[10] && b == records[20]) || (a == records[20] && b == records[10])));
}

TEST_CASE("acknowledged segments are deleted, the newest one is kept") {
    TempDir dir;
    FileQueueOptions options;
    options.segment_bytes = 1024;
    const auto records = payloads(0, 200, 100);
    auto producer = sluice::open_file_producer(dir.path(), options);
    append_all(*producer, records, 7);
    const auto before = segment_files(dir.path());
    const size_t segments = before.size();
    REQUIRE(segments > 5);

    auto consumer = sluice::open_file_consumer(dir.path(), options);
    REQUIRE(take_copy(*consumer, 150).size() == 150);
    CHECK(segment_files(dir.path()).size() == segments);  // taken is not acknowledged
    REQUIRE(drain(*consumer).size() == 50);
    consumer->ack();
    const auto left = segment_files(dir.path());
    REQUIRE(left.size() == 1);
    CHECK(left.front() == before.back());
    CHECK(sluice::file_queue_stats(dir.path()).records == 0);

    append_all(*producer, {"still works"}, 1);
    CHECK(take_copy(*consumer, 10) == std::vector<std::string>{"still works"});
}

TEST_CASE("a record torn by a crash at the end of the newest segment is never delivered, and is cut") {
    TempDir dir;
    const auto records = payloads(0, 10);
    auto producer = sluice::open_file_producer(dir.path());
    append_all(*producer, records, 10);
    const fs::path segment = segment_files(dir.path()).back();
    const auto size = fs::file_size(segment);

    // What a producer killed in the middle of its write leaves after the synced records.
    const std::string whole = encoded("the record being written when the producer died");
    size_t kept = 0;
    SUBCASE("inside the payload") { kept = whole.size() - 5; }
    SUBCASE("inside the header") { kept = 11; }
    append_bytes(segment, whole.substr(0, kept));

    auto consumer = sluice::open_file_consumer(dir.path());
    CHECK(drain(*consumer) == records);
    CHECK(consumer->take(10, 30ms).empty());
    // No producer holds the lock, so the consumer knows no write is in progress: it cuts the tail
    // (a copy stays in quarantine/) instead of waiting for ever.
    CHECK(fs::file_size(segment) == size);
    CHECK(sluice::file_queue_damaged_bytes(dir.path()) == kept);

    const std::vector<std::string> more = {"m"};
    append_all(*producer, more, 5);
    CHECK(fs::file_size(segment) == size + framed_bytes(more));
    CHECK(take_copy(*consumer, 100, 1s) == more);
}

TEST_CASE("garbage after the last record is never delivered and is cut by the next append") {
    TempDir dir;
    const auto records = payloads(0, 10);
    auto producer = sluice::open_file_producer(dir.path());
    append_all(*producer, records, 10);
    const fs::path segment = segment_files(dir.path()).back();
    const auto size = fs::file_size(segment);

    std::string garbage;
    SUBCASE("random bytes") { garbage = "\x13\x37 this is not a record \xff\xfe"; }
    SUBCASE("a whole record with a wrong CRC") { garbage = le32(5) + le32(12345) + "hello"; }
    SUBCASE("zeros") { garbage = std::string(64, '\0'); }
    SUBCASE("a header announcing a huge record") { garbage = le32(0xfffffff0) + le32(0) + "xyz"; }
    append_bytes(segment, garbage);

    auto consumer = sluice::open_file_consumer(dir.path());
    CHECK(drain(*consumer) == records);
    CHECK(consumer->take(10, 30ms).empty());

    // The same producer: its remembered end no longer matches the file. The record is shorter than the
    // garbage, so overwriting alone would leave some of it behind.
    const std::vector<std::string> more = {"m"};
    append_all(*producer, more, 5);
    CHECK(fs::file_size(segment) == size + framed_bytes(more));
    CHECK(take_copy(*consumer, 100, 1s) == more);
}

TEST_CASE("a damaged tail in a segment that is no longer the newest is skipped") {
    TempDir dir;
    FileQueueOptions options;
    options.segment_bytes = 1024;
    const auto records = payloads(0, 60, 100);
    append_all(*sluice::open_file_producer(dir.path(), options), records, 3);
    const auto segments = segment_files(dir.path());
    REQUIRE(segments.size() >= 3);

    // What an OS crash can leave behind: the cut of a torn tail lost, or zeros from a half-done extend.
    SUBCASE("garbage") {
        append_bytes(segments[0], le32(40) + "torn");
        append_bytes(segments[1], std::string(100, '\0'));
        auto consumer = sluice::open_file_consumer(dir.path(), options);
        CHECK(drain(*consumer, 7) == records);
    }
    SUBCASE("a record cut short") {
        fs::resize_file(segments[0], fs::file_size(segments[0]) - 2);
        auto consumer = sluice::open_file_consumer(dir.path(), options);
        const auto got = drain(*consumer, 7);
        // Exactly one record is missing, and the rest are intact and in order.
        single_missing(got, records);
    }
}

TEST_CASE("a waiting take() returns as soon as a record is appended") {
    TempDir dir;
    auto consumer = sluice::open_file_consumer(dir.path());  // before the first segment exists
    auto writer = std::async(std::launch::async, [&] {
        std::this_thread::sleep_for(50ms);
        append_all(*sluice::open_file_producer(dir.path()), {"late"}, 1);
    });
    const auto start = std::chrono::steady_clock::now();
    CHECK(take_copy(*consumer, 10, 10s) == std::vector<std::string>{"late"});
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    writer.get();
}

namespace {

// "p<producer> <index> " then filler: lets the checker find the writer and the order.
std::string tagged(int producer, int index) {
    std::string out = "p" + std::to_string(producer) + " " + std::to_string(index) + " ";
    out.append(static_cast<size_t>((index * 37 + producer * 11) % 300), static_cast<char>('a' + producer));
    return out;
}

void append_tagged(const fs::path& dir, const FileQueueOptions& options, int producer, int count) {
    auto queue = sluice::open_file_producer(dir, options);
    for (int i = 0; i < count;) {
        const int batch = 1 + (i + producer) % 20;
        std::vector<std::string> records;
        for (int j = 0; j < batch && i < count; ++j, ++i) records.push_back(tagged(producer, i));
        std::vector<std::string_view> views(records.begin(), records.end());
        if (!queue->append(views, never_stop)) throw std::runtime_error("append refused");
    }
}

// Consumes until `total` records arrived, acknowledging as it goes; checks each producer's order.
void expect_every_record_once(const fs::path& dir, const FileQueueOptions& options, int producers, int per_producer) {
    auto consumer = sluice::open_file_consumer(dir, options);
    std::map<int, int> next;
    int received = 0;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (received < producers * per_producer && std::chrono::steady_clock::now() < deadline) {
        for (std::string_view record : consumer->take(50, 100ms)) {
            int producer = -1, index = -1;
            REQUIRE(std::sscanf(std::string(record).c_str(), "p%d %d ", &producer, &index) == 2);
            REQUIRE(record == tagged(producer, index));
            REQUIRE(index == next[producer]);  // no loss, no duplicate, appends of one producer in order
            ++next[producer];
            ++received;
        }
        consumer->ack();
    }
    CHECK(received == producers * per_producer);
    CHECK(consumer->take(10, 20ms).empty());
}

}  // namespace

TEST_CASE("producers on several threads, consumed while they write: every record exactly once") {
    TempDir dir;
    FileQueueOptions options;
    options.segment_bytes = 8192;
    constexpr int kProducers = 3, kEach = 1500;
    std::vector<std::future<void>> writers;
    for (int p = 0; p < kProducers; ++p) {
        writers.push_back(std::async(std::launch::async, [&, p] { append_tagged(dir.path(), options, p, kEach); }));
    }
    expect_every_record_once(dir.path(), options, kProducers, kEach);
    for (auto& w : writers) w.get();
    CHECK(segment_files(dir.path()).size() == 1);
}

TEST_CASE("producers in separate processes: every record exactly once") {
    TempDir dir;
    FileQueueOptions options;
    options.segment_bytes = 8192;
    constexpr int kProducers = 2, kEach = 1000;
    std::vector<pid_t> children;
    for (int p = 0; p < kProducers; ++p) {
        const pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            int code = 0;
            try {
                append_tagged(dir.path(), options, p, kEach);
            } catch (...) {
                code = 1;
            }
            _exit(code);
        }
        children.push_back(pid);
    }
    expect_every_record_once(dir.path(), options, kProducers, kEach);
    for (pid_t pid : children) {
        int status = 0;
        REQUIRE(waitpid(pid, &status, 0) == pid);
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }
}

TEST_CASE("a second consumer is refused with a message naming the queue") {
    TempDir dir;
    const fs::path queue = dir / "events";
    auto first = sluice::open_file_consumer(queue);
    try {
        sluice::open_file_consumer(queue);
        FAIL("a second consumer was allowed");
    } catch (const QueueError& e) {
        const std::string message = e.what();
        CHECK(message.find(queue.string()) != std::string::npos);
        CHECK(message.find("another consumer") != std::string::npos);
    }
    first.reset();
    CHECK_NOTHROW(sluice::open_file_consumer(queue));
}

TEST_CASE("back-pressure: append blocks until the consumer acks, and gives up when told to") {
    TempDir dir;
    FileQueueOptions options;
    options.max_bytes = 1000;  // smaller than a segment: only acknowledging can make room
    options.segment_bytes = 1 << 20;
    options.poll_interval = 1ms;
    auto producer = sluice::open_file_producer(dir.path(), options);
    auto consumer = sluice::open_file_consumer(dir.path(), options);
    const std::string record(500, 'r');
    const std::vector<std::string_view> three = {record, record, record};
    const std::vector<std::string_view> one = {record};
    REQUIRE(producer->append(three, never_stop));  // an empty queue takes any batch

    std::atomic<bool> done = false;
    auto blocked = std::async(std::launch::async, [&] {
        const bool ok = producer->append(one, never_stop);
        done = true;
        return ok;
    });
    std::this_thread::sleep_for(100ms);
    CHECK_FALSE(done.load());
    REQUIRE(consumer->take(10, 0ms).size() == 3);
    std::this_thread::sleep_for(50ms);
    CHECK_FALSE(done.load());  // taken but not acknowledged still holds the room
    consumer->ack();
    REQUIRE(blocked.wait_for(5s) == std::future_status::ready);
    CHECK(blocked.get());

    REQUIRE(producer->append(three, never_stop));  // 4 records, over the bound again
    std::atomic<bool> stop = false;
    auto refused = std::async(std::launch::async, [&] { return producer->append(one, [&] { return stop.load(); }); });
    CHECK(refused.wait_for(100ms) == std::future_status::timeout);
    stop = true;
    REQUIRE(refused.wait_for(5s) == std::future_status::ready);
    CHECK_FALSE(refused.get());
    CHECK(sluice::file_queue_stats(dir.path()).records == 4);
}

TEST_CASE("file_queue_stats counts unacknowledged records and bytes on disk") {
    TempDir dir;
    CHECK(sluice::file_queue_stats(dir / "missing").records == 0);
    CHECK(sluice::file_queue_stats(dir / "missing").bytes == 0);

    FileQueueOptions options;
    options.segment_bytes = 2048;
    const auto records = payloads(0, 100, 200);
    append_all(*sluice::open_file_producer(dir.path(), options), records, 9);
    auto stats = sluice::file_queue_stats(dir.path());
    CHECK(stats.records == 100);
    CHECK(stats.bytes == framed_bytes(records));

    auto consumer = sluice::open_file_consumer(dir.path(), options);
    REQUIRE(take_copy(*consumer, 40).size() == 40);
    CHECK(sluice::file_queue_stats(dir.path()).records == 100);
    consumer->ack();
    stats = sluice::file_queue_stats(dir.path());
    CHECK(stats.records == 60);
    uint64_t on_disk = 0;
    for (const auto& f : segment_files(dir.path())) on_disk += fs::file_size(f);
    CHECK(stats.bytes == on_disk);
    CHECK(stats.bytes < framed_bytes(records));  // consumed segments were deleted
}

TEST_CASE("file_queue_backlog_bytes counts the framed bytes after the saved cursor, across segments") {
    TempDir dir;
    CHECK(sluice::file_queue_backlog_bytes(dir / "missing") == 0);

    FileQueueOptions options;
    options.segment_bytes = 2048;
    const auto records = payloads(0, 100, 200);
    append_all(*sluice::open_file_producer(dir.path(), options), records, 9);
    REQUIRE(segment_files(dir.path()).size() > 2);
    CHECK(sluice::file_queue_backlog_bytes(dir.path()) == framed_bytes(records));

    auto consumer = sluice::open_file_consumer(dir.path(), options);
    REQUIRE(take_copy(*consumer, 40).size() == 40);
    CHECK(sluice::file_queue_backlog_bytes(dir.path()) == framed_bytes(records));  // taken is not acknowledged
    consumer->ack();
    const std::vector<std::string> rest(records.begin() + 40, records.end());
    CHECK(sluice::file_queue_backlog_bytes(dir.path()) == framed_bytes(rest));
    while (!take_copy(*consumer, 100).empty()) consumer->ack();
    CHECK(sluice::file_queue_backlog_bytes(dir.path()) == 0);
}

namespace {

void flip_byte(const fs::path& file, uint64_t at) {
    std::string bytes = sluice::test::read_file(file);
    REQUIRE(at < bytes.size());
    bytes[at] = static_cast<char>(bytes[at] ^ 0x20);
    sluice::test::write_file(file, bytes);
}

}  // namespace

TEST_CASE("a flipped byte in a sealed segment costs only its record: the rest is delivered, the damage quarantined") {
    TempDir dir;
    FileQueueOptions options;
    options.segment_bytes = 64 << 10;
    const auto records = payloads(0, 2000, 300);
    append_all(*sluice::open_file_producer(dir.path(), options), records, 50);
    const auto segments = segment_files(dir.path());
    REQUIRE(segments.size() >= 3);
    flip_byte(segments[1], fs::file_size(segments[1]) / 2);

    std::vector<std::string> logged;
    options.log = [&](sluice::LogLevel level, const std::string& m) {
        if (level == sluice::LogLevel::error) logged.push_back(m);
    };
    auto consumer = sluice::open_file_consumer(dir.path(), options);
    const auto got = drain(*consumer, 64);
    // Exactly the one record holding the byte is missing; every other comes, in order.
    const size_t missing = single_missing(got, records);
    REQUIRE(logged.size() == 1);
    CHECK(logged[0].find(segments[1].filename().string()) != std::string::npos);
    CHECK(logged[0].find("damaged") != std::string::npos);
    CHECK(sluice::file_queue_damaged_bytes(dir.path()) == 16 + records[missing].size());
}

TEST_CASE("a flipped byte in the newest segment neither stalls the consumer nor lets a producer cut what follows") {
    TempDir dir;
    const auto records = payloads(0, 500, 300);
    auto producer = sluice::open_file_producer(dir.path());
    append_all(*producer, records, 50);
    const fs::path segment = segment_files(dir.path()).back();
    flip_byte(segment, fs::file_size(segment) / 2);

    // The next producer appends before the consumer has looked: the damaged record and the synced
    // ones after it must all stay.
    const auto more = payloads(500, 100, 300);
    append_all(*sluice::open_file_producer(dir.path()), more, 10);

    auto consumer = sluice::open_file_consumer(dir.path());
    const auto got = drain(*consumer, 64);
    REQUIRE(got.size() == records.size() + more.size() - 1);
    CHECK(std::equal(more.rbegin(), more.rend(), got.rbegin()));
    CHECK(sluice::file_queue_damaged_bytes(dir.path()) > 0);
}

TEST_CASE("a cursor left off a record boundary is moved back: what is appended after the file was cut all comes") {
    TempDir dir;
    const auto records = payloads(0, 300, 400);
    append_all(*sluice::open_file_producer(dir.path()), records, 30);
    {
        auto consumer = sluice::open_file_consumer(dir.path());
        REQUIRE(drain(*consumer).size() == records.size());
        consumer->ack();
    }
    // The data under the cursor shrinks (inside its third-last record), and records of another
    // length are appended: the old cursor now points into the middle of one of them.
    const fs::path segment = segment_files(dir.path()).back();
    const uint64_t cut = 16 + records[records.size() - 1].size() + 16 + records[records.size() - 2].size() + 10;
    fs::resize_file(segment, fs::file_size(segment) - cut);
    const auto more = payloads(1000, 5000, 97);
    append_all(*sluice::open_file_producer(dir.path()), more, 100);

    auto consumer = sluice::open_file_consumer(dir.path());
    const auto got = drain(*consumer, 500);
    // The start of the cut record comes again, whole records only; then every new one.
    REQUIRE(got.size() >= more.size());
    CHECK(std::equal(more.rbegin(), more.rend(), got.rbegin()));
    for (size_t i = 0; i + more.size() < got.size(); ++i)
        CHECK(std::find(records.begin(), records.end(), got[i]) != records.end());
}
