// SPDX-License-Identifier: AGPL-3.0-or-later
// The ZeroMQ transport's promise, producer and consumer in one process over ipc://: a batch is
// acknowledged to the sender only by the receiver's ack(), and a receiver that dies before that
// gets the batch again from the sender once a new receiver is bound.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>

#include "sluice/brokers/zmq_queue.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
using sluice::test::TempDir;

namespace {

std::vector<std::string> take_all(sluice::QueueConsumer& c, size_t max = 100) {
    std::vector<std::string> out;
    for (int i = 0; i < 100 && out.empty(); ++i)
        for (auto r : c.take(max, 50ms)) out.emplace_back(r);
    return out;
}

std::string endpoint(const TempDir& dir) { return "ipc://" + (dir / "bot.zmq").string(); }

}  // namespace

TEST_CASE("zmq append returns only once the receiver acknowledged the batch") {
    TempDir dir("zmq");
    auto consumer = sluice::open_zmq_consumer(endpoint(dir));
    auto producer = sluice::open_zmq_producer(endpoint(dir));
    std::atomic<bool> returned{false};
    auto sending = std::async(std::launch::async, [&] {
        const bool ok = producer->append({"one", "two", "three"}, {});
        returned = true;
        return ok;
    });
    const auto got = take_all(*consumer);
    CHECK(got == std::vector<std::string>{"one", "two", "three"});
    std::this_thread::sleep_for(200ms);
    CHECK_FALSE(returned.load());  // taken is not acknowledged
    consumer->ack();
    CHECK(sending.get());
}

TEST_CASE("zmq sends an unacknowledged batch again to a receiver that restarted") {
    TempDir dir("zmq");
    auto producer = sluice::open_zmq_producer(endpoint(dir));
    auto sending = std::async(std::launch::async, [&] { return producer->append({"a", "b"}, {}); });
    {
        auto first = sluice::open_zmq_consumer(endpoint(dir));
        CHECK(take_all(*first) == std::vector<std::string>{"a", "b"});
        // Destroyed without ack(): the receiving host died mid-batch.
    }
    CHECK(sending.wait_for(300ms) == std::future_status::timeout);
    auto second = sluice::open_zmq_consumer(endpoint(dir));
    CHECK(take_all(*second) == std::vector<std::string>{"a", "b"});
    second->ack();
    CHECK(sending.get());
    // The next batch goes through the same producer without a hitch.
    auto next = std::async(std::launch::async, [&] { return producer->append({"c"}, {}); });
    CHECK(take_all(*second) == std::vector<std::string>{"c"});
    second->ack();
    CHECK(next.get());
}

TEST_CASE("zmq append waits for an absent receiver and gives up when told to stop") {
    TempDir dir("zmq");
    auto producer = sluice::open_zmq_producer(endpoint(dir));
    std::atomic<bool> stop{false};
    auto sending = std::async(std::launch::async, [&] { return producer->append({"x"}, [&] { return stop.load(); }); });
    CHECK(sending.wait_for(300ms) == std::future_status::timeout);  // back-pressure: nobody to send to
    stop = true;
    CHECK_FALSE(sending.get());
}

TEST_CASE("zmq keeps batches of several senders apart and acknowledges each") {
    TempDir dir("zmq");
    auto consumer = sluice::open_zmq_consumer(endpoint(dir));
    auto p1 = sluice::open_zmq_producer(endpoint(dir));
    auto p2 = sluice::open_zmq_producer(endpoint(dir));
    auto s1 = std::async(std::launch::async, [&] { return p1->append({"p1-a", "p1-b"}, {}); });
    auto s2 = std::async(std::launch::async, [&] { return p2->append({"p2-a"}, {}); });
    std::multiset<std::string> got;
    for (int i = 0; i < 100 && got.size() < 3; ++i)
        for (auto r : consumer->take(100, 50ms)) got.emplace(r);
    CHECK(got == std::multiset<std::string>{"p1-a", "p1-b", "p2-a"});
    consumer->ack();
    CHECK(s1.get());
    CHECK(s2.get());
}

TEST_CASE("zmq refuses an endpoint it cannot bind, naming it") {
    try {
        (void)sluice::open_zmq_consumer("tcp://256.0.0.1:1");
        FAIL("bound an impossible address");
    } catch (const sluice::QueueError& e) {
        CHECK(std::string(e.what()).find("tcp://256.0.0.1:1") != std::string::npos);
    }
}
