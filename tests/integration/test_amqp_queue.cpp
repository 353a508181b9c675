// SPDX-License-Identifier: AGPL-3.0-or-later
// The AMQP transport against a real RabbitMQ node (started privately by the test): confirms,
// acknowledgements, redelivery of what was not acknowledged, a broker restart in the middle of a
// publish, credentials from the environment, and passwords kept out of every message.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>

#include "rabbitmq_server.hpp"
#include "sluice/brokers/amqp_queue.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

sluice::AmqpSettings settings_for(const sluice::test::RabbitMqServer& rabbit) {
    sluice::AmqpSettings s;
    s.url = rabbit.url();
    return s;
}

std::vector<std::string> take(sluice::QueueConsumer& c, size_t want) {
    std::vector<std::string> out;
    for (int i = 0; i < 200 && out.size() < want; ++i)
        for (auto r : c.take(100, 50ms)) out.emplace_back(r);
    return out;
}

}  // namespace

TEST_CASE("amqp delivers confirmed batches and delivers again what was taken but not acknowledged") {
    sluice::test::RabbitMqServer rabbit;
    const auto s = settings_for(rabbit);
    auto producer = sluice::open_amqp_producer(s, "parser-queue");
    REQUIRE(producer->append({"e1", "e2", "e3"}, {}));
    CHECK(sluice::amqp_queue_stats(s, "parser-queue").records == 3);
    CHECK(rabbit.ctl("list_queues name durable").output.find("parser-queue\ttrue") != std::string::npos);
    {
        auto consumer = sluice::open_amqp_consumer(s, "parser-queue");
        CHECK(take(*consumer, 3) == std::vector<std::string>{"e1", "e2", "e3"});
        // Gone without ack(): the broker must hand the three out again.
    }
    auto consumer = sluice::open_amqp_consumer(s, "parser-queue");
    CHECK(take(*consumer, 3) == std::vector<std::string>{"e1", "e2", "e3"});
    consumer->ack();
    REQUIRE(producer->append({"e4"}, {}));
    CHECK(take(*consumer, 1) == std::vector<std::string>{"e4"});
    consumer->ack();
    consumer.reset();
    CHECK(sluice::amqp_queue_stats(s, "parser-queue").records == 0);
    CHECK(sluice::amqp_queue_stats(s, "never-declared-queue").records == 0);

    SUBCASE("the password comes from the environment and is never printed") {
        sluice::AmqpSettings env = s;
        env.url = "amqp://127.0.0.1:" + std::to_string(rabbit.port()) + "/";
        env.username = "guest";
        env.password_env = "SLUICE_TEST_AMQP_PASSWORD";
        ::setenv("SLUICE_TEST_AMQP_PASSWORD", "guest", 1);
        CHECK(sluice::amqp_probe(env).empty());
        ::setenv("SLUICE_TEST_AMQP_PASSWORD", "s3cret-wrong", 1);
        const std::string why = sluice::amqp_probe(env);
        CHECK_FALSE(why.empty());
        CHECK(why.find("s3cret-wrong") == std::string::npos);
        CHECK(why.find("127.0.0.1") != std::string::npos);
        ::unsetenv("SLUICE_TEST_AMQP_PASSWORD");
        CHECK(sluice::amqp_probe(env).find("SLUICE_TEST_AMQP_PASSWORD is not set") != std::string::npos);
        sluice::AmqpSettings in_url = s;
        in_url.url = "amqp://guest:hunter2@127.0.0.1:" + std::to_string(rabbit.port()) + "/";
        CHECK(sluice::amqp_display_url(in_url).find("hunter2") == std::string::npos);
    }
}

TEST_CASE("amqp publishing waits through a broker restart and loses nothing") {
    sluice::test::RabbitMqServer rabbit;
    const auto s = settings_for(rabbit);
    auto producer = sluice::open_amqp_producer(s, "expert-queue");
    REQUIRE(producer->append({"before"}, {}));
    rabbit.stop();
    auto during = std::async(std::launch::async, [&] { return producer->append({"during-1", "during-2"}, {}); });
    CHECK(during.wait_for(1s) == std::future_status::timeout);  // no broker: nothing is confirmed
    rabbit.start();
    REQUIRE(during.wait_for(60s) == std::future_status::ready);
    CHECK(during.get());
    // Durable queue, persistent messages: the one published before the restart is still there.
    auto consumer = sluice::open_amqp_consumer(s, "expert-queue");
    CHECK(take(*consumer, 3) == std::vector<std::string>{"before", "during-1", "during-2"});
    consumer->ack();
}

TEST_CASE("amqp reports an unreachable broker with its address") {
    sluice::AmqpSettings s;
    s.url = "amqp://guest:topsecret@127.0.0.1:" + std::to_string(sluice::test::free_tcp_port()) + "/";
    s.connect_timeout = 1.0;
    const std::string why = sluice::amqp_probe(s);
    CHECK(why.find("127.0.0.1") != std::string::npos);
    CHECK(why.find("topsecret") == std::string::npos);
    std::atomic<bool> stop{false};
    auto producer = sluice::open_amqp_producer(s, "x-queue");
    auto sending = std::async(std::launch::async, [&] { return producer->append({"x"}, [&] { return stop.load(); }); });
    CHECK(sending.wait_for(500ms) == std::future_status::timeout);
    stop = true;
    CHECK_FALSE(sending.get());
}
