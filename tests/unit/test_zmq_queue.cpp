// SPDX-License-Identifier: AGPL-3.0-or-later
// The ZeroMQ transport's promise, producer and consumer in one process over ipc://: a batch is
// acknowledged to the sender only by the receiver's ack(), and a receiver that dies before that
// gets the batch again from the sender once a new receiver is bound. A sender keeps a window of
// batches in flight; what the receiver acknowledged is never taken again, whatever the order.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "sluice/brokers/zmq_queue.hpp"
#include "test_support.hpp"
#include "zmq_wire.hpp"

using namespace std::chrono_literals;
using sluice::test::TempDir;

namespace {

std::vector<std::string> take_all(sluice::QueueConsumer& c, size_t max = 100) {
    // Waits up to five seconds for a take that returns records.
    std::vector<std::string> out;
    for (int i = 0; i < 100 && out.empty(); ++i)
        for (auto r : c.take(max, 50ms)) out.emplace_back(r);
    return out;
}

std::string endpoint(const TempDir& dir) { return "ipc://" + (dir / "bot.zmq").string(); }

// Waits until the producer counts `ticket` durable; false after two seconds.
bool becomes_durable(sluice::QueueProducer& p, uint64_t ticket) {
    for (int i = 0; i < 200; ++i) {
        if (p.durable() >= ticket) return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

// A sender speaking the wire protocol by hand, to send batches in an order a producer only
// produces across a reconnect.
struct RawSender {
    zmq::context_t context{1};
    zmq::socket_t socket{context, zmq::socket_type::dealer};
    explicit RawSender(const std::string& endpoint) {
        socket.set(zmq::sockopt::linger, 0);
        socket.set(zmq::sockopt::routing_id, "raw-sender");
        socket.connect(endpoint);
    }
    void send(uint64_t seq, uint64_t base, std::string_view record) {
        std::string records(sluice::zmq_wire::packed_size(record.size()), '\0');
        sluice::zmq_wire::pack_record(records.data(), record);
        socket.send(zmq::buffer(sluice::zmq_wire::batch_frame(seq, base)), zmq::send_flags::sndmore);
        socket.send(zmq::buffer(records), zmq::send_flags::none);
    }
    // The sequence of the next acknowledgement, or 0 if none came within a second.
    uint64_t ack() {
        zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, 1000ms) <= 0) return 0;
        zmq::message_t m;
        (void)socket.recv(m);
        return sluice::zmq_wire::parse(sluice::zmq_wire::kAckTag, m.data(), m.size()).value_or(0);
    }
};

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

TEST_CASE("zmq send keeps a window of batches in flight, acknowledged batch by batch in order") {
    TempDir dir("zmq");
    auto consumer = sluice::open_zmq_consumer(endpoint(dir));
    auto producer = sluice::open_zmq_producer(endpoint(dir));
    uint64_t t1 = 0, t2 = 0, t3 = 0;
    // None of these waits for the receiver: the chain behind it may take its time.
    REQUIRE(producer->send({"a1", "a2"}, {}, t1));
    REQUIRE(producer->send({"b1"}, {}, t2));
    REQUIRE(producer->send({"c1"}, {}, t3));
    CHECK(t1 < t2);
    CHECK(t2 < t3);
    CHECK(producer->durable() < t1);
    // max = 1: one batch per take.
    CHECK(take_all(*consumer, 1) == std::vector<std::string>{"a1", "a2"});
    CHECK(take_all(*consumer, 1) == std::vector<std::string>{"b1"});
    const auto third = consumer->take(1, 1000ms);
    REQUIRE(third.size() == 1);
    consumer->ack_oldest();
    CHECK(becomes_durable(*producer, t1));
    CHECK(third.front() == "c1");  // acknowledging an older take leaves the current views alone
    std::this_thread::sleep_for(100ms);
    CHECK(producer->durable() == t1);  // b and c are taken, not acknowledged
    consumer->ack_oldest();
    CHECK(becomes_durable(*producer, t2));
    consumer->ack();
    CHECK(producer->wait_durable(t3, {}));
}

TEST_CASE("a zmq take also ends when an acknowledgement arrives at a producer it watches, and sync reads it") {
    // A host's input (`in`) and its output (`producer` -> `downstream`): while the host waits for
    // input, the acknowledgement of its output must end the wait, not the wait's timeout.
    TempDir in_dir("zmq-in"), out_dir("zmq-out");
    auto in = sluice::open_zmq_consumer(endpoint(in_dir));
    auto downstream = sluice::open_zmq_consumer(endpoint(out_dir));
    auto producer = sluice::open_zmq_producer(endpoint(out_dir));
    in->also_wake_on({producer->wake_handle()});
    uint64_t ticket = 0;
    REQUIRE(producer->send({"x"}, {}, ticket));
    REQUIRE(take_all(*downstream) == std::vector<std::string>{"x"});

    const auto started = std::chrono::steady_clock::now();
    auto acknowledging = std::async(std::launch::async, [&] {
        std::this_thread::sleep_for(200ms);
        downstream->ack();
    });
    CHECK(in->take(10, 20s).empty());
    CHECK(std::chrono::steady_clock::now() - started < 10s);  // woken, not timed out
    acknowledging.get();

    // sync() reads the acknowledgement: the next take waits its whole time again instead of
    // waking at once for ever.
    producer->sync();
    const auto again = std::chrono::steady_clock::now();
    CHECK(in->take(10, 300ms).empty());
    CHECK(std::chrono::steady_clock::now() - again >= 250ms);
    CHECK(producer->durable() >= ticket);
}

TEST_CASE("zmq send blocks once the window is full and goes on when the oldest is acknowledged") {
    TempDir dir("zmq");
    auto consumer = sluice::open_zmq_consumer(endpoint(dir));
    auto producer = sluice::open_zmq_producer(endpoint(dir));
    uint64_t ticket = 0;
    REQUIRE(producer->send({"r0"}, {}, ticket));  // waits until connected
    int sent = 1;
    std::atomic<bool> stop{false};
    while (sent < 100 && producer->send(
                             {"r" + std::to_string(sent)}, [&] { return true; }, ticket))
        ++sent;
    CHECK(sent == 8);  // then the window is full and a stop request ends the wait
    auto ninth = std::async(std::launch::async, [&] {
        return producer->send(
            {"r8"}, [&] { return stop.load(); }, ticket);
    });
    CHECK(take_all(*consumer, 1) == std::vector<std::string>{"r0"});
    CHECK(ninth.wait_for(300ms) == std::future_status::timeout);
    consumer->ack_oldest();
    CHECK(ninth.get());
    stop = true;
}

TEST_CASE("zmq sends every unacknowledged batch of the window again to a receiver that restarted") {
    TempDir dir("zmq");
    auto producer = sluice::open_zmq_producer(endpoint(dir));
    uint64_t t1 = 0, t2 = 0, t3 = 0;
    {
        auto first = sluice::open_zmq_consumer(endpoint(dir));
        REQUIRE(producer->send({"a"}, {}, t1));
        REQUIRE(producer->send({"b"}, {}, t2));
        REQUIRE(producer->send({"c"}, {}, t3));
        CHECK(take_all(*first, 1) == std::vector<std::string>{"a"});
        CHECK(take_all(*first, 1) == std::vector<std::string>{"b"});
        first->ack_oldest();  // a is acknowledged; b taken, c waiting: both die with the receiver
        CHECK(becomes_durable(*producer, t1));
    }
    // The sending host waits for b and c; meanwhile the receiver comes back.
    auto waiting = std::async(std::launch::async, [&] { return producer->wait_durable(t3, {}); });
    auto second = sluice::open_zmq_consumer(endpoint(dir));
    std::vector<std::string> got;
    for (int i = 0; i < 100 && got.size() < 2; ++i)
        for (auto r : second->take(10, 50ms)) got.emplace_back(r);
    CHECK(got == std::vector<std::string>{"b", "c"});  // not a again: its acknowledgement came
    second->ack();
    CHECK(waiting.get());
}

TEST_CASE("zmq takes a batch that arrives after a later one was acknowledged, and drops one below the base") {
    TempDir dir("zmq");
    auto consumer = sluice::open_zmq_consumer(endpoint(dir));
    RawSender sender(endpoint(dir));
    // After a reconnect, batch 2 went out on the new connection before batch 1 was sent again.
    sender.send(2, 1, "two");
    CHECK(take_all(*consumer) == std::vector<std::string>{"two"});
    consumer->ack();
    CHECK(sender.ack() == 2);
    sender.send(1, 1, "one");
    CHECK(take_all(*consumer) == std::vector<std::string>{"one"});  // not taken for acknowledged
    consumer->ack();
    CHECK(sender.ack() == 1);
    // A late copy of batch 2: acknowledged again, not taken again.
    sender.send(2, 1, "two");
    CHECK(consumer->take(10, 300ms).empty());
    CHECK(sender.ack() == 2);
    // Base 3: the sender holds acknowledgements for everything before, so a copy of 1 is dropped.
    sender.send(3, 3, "three");
    sender.send(1, 3, "one");
    CHECK(take_all(*consumer) == std::vector<std::string>{"three"});
    CHECK(consumer->take(10, 200ms).empty());
}

TEST_CASE("a zmq take that receives only a copy of a batch it holds waits on for a new one") {
    TempDir dir("zmq");
    auto consumer = sluice::open_zmq_consumer(endpoint(dir));
    RawSender sender(endpoint(dir));
    sender.send(1, 1, "one");
    CHECK(take_all(*consumer) == std::vector<std::string>{"one"});
    // Sent again (the sender saw a reconnect), then a new batch a little later.
    sender.send(1, 1, "one");
    auto later = std::async(std::launch::async, [&] {
        std::this_thread::sleep_for(200ms);
        sender.send(2, 1, "two");
    });
    std::this_thread::sleep_for(50ms);  // the copy is there before the take starts
    CHECK(consumer->take(10, 5000ms) == std::vector<std::string_view>{"two"});
    later.get();
}

TEST_CASE("zmq refuses an endpoint it cannot bind, naming it") {
    try {
        (void)sluice::open_zmq_consumer("tcp://256.0.0.1:1");
        FAIL("bound an impossible address");
    } catch (const sluice::QueueError& e) {
        CHECK(std::string(e.what()).find("tcp://256.0.0.1:1") != std::string::npos);
    }
}
