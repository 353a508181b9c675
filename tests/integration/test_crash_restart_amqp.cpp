// SPDX-License-Identifier: AGPL-3.0-or-later
// The crash test on AMQP: the middle bot's host is killed with SIGKILL three times and the broker
// itself is stopped and started again while 100,000 events run; every event reaches the sink.
#include <doctest/doctest.h>

#include <thread>

#include "crash_pipeline.hpp"
#include "rabbitmq_server.hpp"

TEST_CASE("amqp: SIGKILL of the middle bot and a broker restart mid-run lose no event") {
    sluice::test::RabbitMqServer rabbit;
    bool restarted = false;
    auto restart_broker = [&] {
        // In the background of the run: every host loses its connection and must come back.
        rabbit.stop();
        std::this_thread::sleep_for(std::chrono::seconds(1));
        rabbit.start();
        restarted = true;
    };
    // One event per message, as IntelMQ writes them: the run then lasts long enough for three kills
    // (packed and pipelined, 100,000 events cross the chain in about four seconds).
    const auto r = sluice::test::run_crash_pipeline(
        {"amqp", "[transports.amqp]\nurl = \"" + rabbit.url() + "\"\nrecords_per_message = 1\n", 3, restart_broker});
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(restarted);
    CHECK(r.kills == 3);
    CHECK(r.output.find("middle: killed by signal 9") != std::string::npos);
    MESSAGE("kills: " << r.kills << ", broker restarts: 1, events written: " << r.events << ", unique: " << r.unique
                      << ", duplicates: " << r.duplicates);
    CHECK(r.without_id == 0);
    CHECK(r.unique == static_cast<size_t>(sluice::test::kCrashEvents));
    CHECK(r.first_id == 0);
    CHECK(r.last_id == sluice::test::kCrashEvents - 1);
}
