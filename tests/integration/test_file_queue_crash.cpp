// SPDX-License-Identifier: AGPL-3.0-or-later
//
// kill -9 at random moments. A forked child appends numbered records to a file queue and consumes
// some of them, reporting progress on a pipe:
//   W <id>  after append() returned: every record up to <id> is durable
//   T <id>  just before ack(): the cursor may move up to <id> from here on
//   C <id>  after ack() returned: records up to <id> are acknowledged
// The parent SIGKILLs it after a random delay, then reopens the queue and checks what a consumer
// gets: only whole records, each exactly the payload its id implies, ids consecutive and increasing,
// starting no later than just after the last T (the ack may or may not have happened) and reaching
// at least the last W (nothing durable lost). Records up to the last C coming back are duplicates,
// which at-least-once allows; they are counted. The next round appends on the same directory.
//
// SLUICE_CRASH_SEED and SLUICE_CRASH_ROUNDS replay or lengthen a run.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sluice/brokers/file_queue.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

uint64_t mix(uint64_t x) {  // splitmix64: payload bytes and lengths as a function of the id
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// 8 bytes of id, then filler derived from it: 8..2000 bytes in all.
std::string record_for(uint64_t id) {
    const size_t length = 8 + mix(id) % 1993;
    std::string out(length, '\0');
    for (size_t i = 0; i < 8; ++i) out[i] = static_cast<char>((id >> (8 * i)) & 0xff);
    uint64_t state = id;
    for (size_t i = 8; i < length; i += 8) {
        state = mix(state);
        for (size_t j = i; j < std::min(length, i + 8); ++j) out[j] = static_cast<char>(state >> (8 * (j - i)));
    }
    return out;
}

// The id a record claims, if the record is exactly what that id implies.
std::optional<uint64_t> decode(std::string_view record) {
    if (record.size() < 8) return std::nullopt;
    uint64_t id = 0;
    for (size_t i = 0; i < 8; ++i) id |= uint64_t{static_cast<unsigned char>(record[i])} << (8 * i);
    if (record != record_for(id)) return std::nullopt;
    return id;
}

sluice::FileQueueOptions queue_options() {
    sluice::FileQueueOptions options;
    options.segment_bytes = 1 << 20;  // rotations and deletions every few batches
    options.poll_interval = 1ms;
    return options;
}

void report(int fd, char tag, uint64_t id) {
    const std::string line = std::string(1, tag) + " " + std::to_string(id) + "\n";
    // One write of a short line to a pipe is atomic: the parent never sees half a line.
    if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(4);
}

// Runs until killed. Uses nothing but the queue and write(2).
[[noreturn]] void child(const fs::path& dir, uint64_t next_id, int out, uint64_t seed) {
    try {
        std::mt19937_64 rng(seed);
        auto producer = sluice::open_file_producer(dir, queue_options());
        auto consumer = sluice::open_file_consumer(dir, queue_options());
        const sluice::StopToken never = [] { return false; };
        std::vector<std::string> records;
        std::vector<std::string_view> views;
        for (uint64_t step = 0;; ++step) {
            // Consuming first keeps the backlog, and so each round's check, small: appends wait for
            // fdatasync, so a child lives for only a few of them.
            if (step % 2 == 0) {
                const auto& taken = consumer->take(1 + rng() % 2500, 0ms);
                if (!taken.empty()) {
                    for (std::string_view r : taken) {
                        if (!decode(r)) {
                            const char msg[] = "E the child's consumer got a corrupt record\n";
                            (void)!write(out, msg, sizeof msg - 1);
                            _exit(3);
                        }
                    }
                    const uint64_t last = *decode(taken.back());
                    report(out, 'T', last);
                    consumer->ack();
                    report(out, 'C', last);
                }
            }
            records.clear();
            // Now and then a batch of megabytes, whose write() a kill can cut in the middle.
            const size_t batch = rng() % 4 == 0 ? 500 + rng() % 1500 : 1 + rng() % 60;
            for (size_t i = 0; i < batch; ++i) records.push_back(record_for(next_id++));
            views.assign(records.begin(), records.end());
            if (!producer->append(views, never)) _exit(5);
            report(out, 'W', next_id - 1);
        }
    } catch (const std::exception& e) {
        const std::string msg = std::string("E ") + e.what() + "\n";
        (void)!write(out, msg.data(), msg.size());
        _exit(2);
    }
}

struct Progress {
    uint64_t written = 0;       // last W
    uint64_t ack_intent = 0;    // last T
    uint64_t acknowledged = 0;  // last C
    std::string error;
};

void parse_report(const std::string& text, Progress& progress) {
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t end = text.find('\n', pos);
        if (end == std::string::npos) break;
        const std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line.empty()) continue;
        if (line[0] == 'E') {
            progress.error = line;
            continue;
        }
        const uint64_t id = std::stoull(line.substr(2));
        if (line[0] == 'W') progress.written = id;
        if (line[0] == 'T') progress.ack_intent = id;
        if (line[0] == 'C') progress.acknowledged = id;
    }
}

std::string read_all(int fd) {
    std::string text;
    char buf[4096];
    for (;;) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            text.append(buf, static_cast<size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            return text;
        }
    }
}

// Whether the newest segment ends in bytes that are not a whole record: a write the kill cut short.
bool newest_segment_torn(const fs::path& dir) {
    if (!fs::exists(dir)) return false;  // the kill came before the child created the queue
    fs::path newest;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const fs::path p = entry.path();
        if (p.filename().string().starts_with("seg-") && p > newest) newest = p;
    }
    if (newest.empty()) return false;
    const std::string bytes = sluice::test::read_file(newest);
    size_t pos = 0;
    while (pos + 8 <= bytes.size()) {
        uint32_t length = 0;
        for (size_t i = 0; i < 4; ++i) length |= uint32_t{static_cast<unsigned char>(bytes[pos + i])} << (8 * i);
        if (length == 0 || pos + 8 + length > bytes.size()) break;
        pos += 8 + length;
    }
    return pos != bytes.size();
}

uint64_t env_or(const char* name, uint64_t fallback) {
    const char* value = std::getenv(name);
    return value != nullptr ? std::stoull(value) : fallback;
}

}  // namespace

TEST_CASE("kill -9 at random moments loses nothing and corrupts nothing") {
    sluice::test::TempDir tmp("sluice-crash");
    const fs::path dir = tmp / "queue";
    const uint64_t seed = env_or("SLUICE_CRASH_SEED", std::random_device{}());
    const uint64_t rounds = env_or("SLUICE_CRASH_ROUNDS", 250);
    std::cout << "file queue crash test: seed " << seed << ", " << rounds
              << " rounds (SLUICE_CRASH_SEED / SLUICE_CRASH_ROUNDS to change)" << std::endl;
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);

    Progress progress;
    uint64_t next_id = 1, duplicates = 0, partial_batches = 0, torn_tails = 0, unacked_bytes = 0;
    for (uint64_t round = 0; round < rounds; ++round) {
        INFO("round " << round);
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        const auto delay = std::chrono::microseconds(1000 + rng() % 29001);
        const uint64_t child_seed = rng();
        const pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            child(dir, next_id, fds[1], child_seed);
        }
        close(fds[1]);
        std::this_thread::sleep_for(delay);
        REQUIRE(kill(pid, SIGKILL) == 0);
        int status = 0;
        REQUIRE(waitpid(pid, &status, 0) == pid);
        parse_report(read_all(fds[0]), progress);
        close(fds[0]);
        INFO("child output: " << progress.error);
        REQUIRE(progress.error.empty());
        REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));

        if (newest_segment_torn(dir)) ++torn_tails;
        // What a consumer restarted now would get. Not acknowledged: the next child continues from here.
        std::vector<uint64_t> ids;
        unacked_bytes = 0;
        {
            auto consumer = sluice::open_file_consumer(dir, queue_options());
            for (;;) {
                const auto& taken = consumer->take(1000, 0ms);
                if (taken.empty()) break;
                for (std::string_view record : taken) {
                    const auto id = decode(record);
                    REQUIRE_MESSAGE(id.has_value(), "a corrupt record of " << record.size() << " bytes");
                    REQUIRE_MESSAGE((ids.empty() || *id == ids.back() + 1),
                                    "id " << *id << " after " << ids.back() << ": lost or out of order");
                    ids.push_back(*id);
                    unacked_bytes += 8 + record.size();
                }
            }
        }
        INFO("last W " << progress.written << ", T " << progress.ack_intent << ", C " << progress.acknowledged);
        if (ids.empty()) {
            REQUIRE_MESSAGE(progress.written <= progress.ack_intent, "durable records lost");
        } else {
            REQUIRE_MESSAGE(ids.front() <= progress.ack_intent + 1, "records after the last ack lost");
            REQUIRE_MESSAGE(ids.back() >= progress.written, "durable records lost at the end");
            if (ids.front() <= progress.acknowledged) duplicates += progress.acknowledged - ids.front() + 1;
            if (ids.back() > progress.written) ++partial_batches;
        }
        // A batch cut short by the kill may be there in part, and a child may have consumed such records
        // without reporting W for them: never reuse an id that may be in the queue.
        next_id = std::max({next_id, progress.written + 1, ids.empty() ? 0 : ids.back() + 1});
    }

    auto count_segments = [&] {
        size_t n = 0;
        for (const auto& entry : fs::directory_iterator(dir)) n += entry.path().filename().string().starts_with("seg-");
        return n;
    };
    const size_t segments = count_segments();
    std::cout << "file queue crash test: " << next_id - 1 << " ids used, " << progress.acknowledged << " acknowledged, "
              << duplicates << " redelivered after acknowledgement, " << partial_batches
              << " batches found partly written, " << torn_tails << " torn tails, " << segments
              << " segment files left for " << unacked_bytes << " unacknowledged bytes" << std::endl;
    // How much happens between kills depends on the machine's fdatasync; judge by what did happen.
    CHECK(progress.written > 0);

    // Whatever the kills left behind (segments whose deletion was cut short, an empty newest one), one
    // consumer that takes and acknowledges everything leaves the queue empty and only its newest file.
    {
        auto consumer = sluice::open_file_consumer(dir, queue_options());
        while (!consumer->take(1000, 0ms).empty()) {
        }
        consumer->ack();
    }
    CHECK(count_segments() == 1);
    CHECK(sluice::file_queue_stats(dir).records == 0);
}
