// SPDX-License-Identifier: AGPL-3.0-or-later
// The host's processing loop on real file queues, in-process: batches in, events out, retries that
// leave no duplicates, rejects and undecodable input dumped, nothing acknowledged before it is durable.
#include <doctest/doctest.h>

#include <set>
#include <thread>

#include "sluice/brokers/file_queue.hpp"
#include "sluice/core/host.hpp"
#include "test_support.hpp"
#include "transport_factory.hpp"

using namespace std::chrono_literals;
using sluice::test::TempDir;

namespace {

struct Pipeline {
    TempDir dir;
    sluice::Config cfg;

    explicit Pipeline(int64_t retries, const std::string& first_bot = R"(
[bots.fixture]
plugin = "expert_fixture"
parameters = { fail_times = 2 }
to = ["sink"]
)") {
        sluice::test::write_file(dir / "sluice.toml", R"(
[paths]
var = "var"
harmonization = ")" + (sluice::test::source_dir() / "conf" / "harmonization.toml").string() +
                                                          R"("
plugins = [")" + (sluice::test::build_dir() / "tests" / "fixtures").string() +
                                                          "\", \"" + sluice::test::plugin_dir().string() +
                                                          R"("]
[defaults]
error_retry_delay = 0.0
error_max_retries = )" + std::to_string(retries) + first_bot +
                                                          R"(
[bots.sink]
plugin = "output_file"
)");
        std::vector<std::string> errors;
        cfg = sluice::load_config(dir / "sluice.toml", errors);
        REQUIRE(errors.empty());
    }

    void feed(const std::vector<std::string>& messages) {
        auto producer = sluice::open_file_producer(cfg.queue_dir("fixture"));
        std::vector<std::string_view> views(messages.begin(), messages.end());
        REQUIRE(producer->append(views, [] { return false; }));
    }

    // Runs the host until its input is drained, then stops it; returns the output queue's records.
    std::vector<std::string> run() {
        auto transports = sluice::make_transport_factory();
        sluice::HostSignals signals;
        sluice::Host host(cfg, "fixture", *transports, signals);
        int code = -1;
        std::thread t([&] { code = host.run(); });
        for (int i = 0; i < 500 && transports->stats(cfg, "fixture", "file").records > 0; ++i)
            std::this_thread::sleep_for(10ms);
        signals.stop = true;
        t.join();
        CHECK(code == 0);
        std::vector<std::string> out;
        auto consumer = sluice::open_file_consumer(cfg.queue_dir("sink"));
        for (;;) {  // one take() returns at most a few MiB
            const auto& batch = consumer->take(100000, 0ms);
            if (batch.empty()) break;
            for (const auto& r : batch) out.emplace_back(r);
        }
        return out;
    }
};

std::string event(int id, const char* mode = "") {
    return R"({"__type":"Event","extra.id":")" + std::to_string(id) + R"(","extra.fixture":")" + mode +
           R"(","source.ip":"192.0.2.)" + std::to_string(id % 250) + R"("})";
}

}  // namespace

TEST_CASE("every input event comes out once, in order, through the bot") {
    Pipeline p(3);
    std::vector<std::string> in;
    for (int i = 0; i < 1200; ++i) in.push_back(event(i));  // more than one batch of 500
    p.feed(in);
    const auto out = p.run();
    REQUIRE(out.size() == 1200);
    CHECK(out[0].find(R"("extra.id":"0")") != std::string::npos);
    CHECK(out[1199].find(R"("extra.id":"1199")") != std::string::npos);
    CHECK(out[5].find(R"("extra.seen_by_fixture":true)") != std::string::npos);
    CHECK(sluice::test::count_lines(p.cfg.dump_file("fixture")) == 0);
}

TEST_CASE("a transient failure is retried and its partial output is not duplicated") {
    Pipeline p(3);
    p.feed({event(1), event(2, "retry"), event(3)});
    const auto out = p.run();
    REQUIRE(out.size() == 3);
    CHECK(out[1].find(R"("extra.id":"2")") != std::string::npos);
    sluice::BotStats stats;
    REQUIRE(sluice::BotStats::read(p.cfg.stats_file("fixture"), stats));
    CHECK(stats.retried == 2);
    CHECK(stats.failed == 0);
}

TEST_CASE("records given up by a failed attempt are not dumped again by its retries") {
    Pipeline p(3);
    p.feed({event(7, "record-then-retry")});
    const auto out = p.run();
    CHECK(out.size() == 1);
    CHECK(sluice::test::count_lines(p.cfg.dump_file("fixture")) == 1);  // 3 attempts, one record dumped
    CHECK(sluice::test::read_file(p.cfg.dump_file("fixture")).find("fixture: bad record") != std::string::npos);
}

TEST_CASE("a message that keeps failing is dumped after error_max_retries while the rest go on") {
    Pipeline p(1);  // fail_times = 2 > 1 retry
    p.feed({event(1), event(2, "retry"), event(3)});
    const auto out = p.run();
    CHECK(out.size() == 2);
    const auto dump = sluice::test::read_file(p.cfg.dump_file("fixture"));
    CHECK(sluice::test::count_lines(p.cfg.dump_file("fixture")) == 1);
    CHECK(dump.find("fixture: transient failure") != std::string::npos);
    CHECK(dump.find(R"("extra.id":"2")") != std::string::npos);
}

TEST_CASE("a rejected or undecodable message is dumped at once, never retried") {
    Pipeline p(5);
    p.feed({event(1, "reject"), "{not json", R"({"__type":"Event","source.ip":"no"})", event(4)});
    const auto out = p.run();
    CHECK(out.size() == 1);
    const auto dump = sluice::test::read_file(p.cfg.dump_file("fixture"));
    CHECK(sluice::test::count_lines(p.cfg.dump_file("fixture")) == 3);
    CHECK(dump.find("fixture: rejected on request") != std::string::npos);
    CHECK(dump.find("cannot decode") != std::string::npos);
    sluice::BotStats stats;
    REQUIRE(sluice::BotStats::read(p.cfg.stats_file("fixture"), stats));
    CHECK(stats.retried == 0);
    CHECK(stats.dumped == 3);
    CHECK(stats.received == 4);
}

TEST_CASE("a report whose events outgrow the early-delivery bound still comes out whole and once") {
    // 40,000 events of about 400 bytes: several early deliveries happen inside one process() call.
    Pipeline p(0, R"(
[bots.fixture]
plugin = "parser_csv"
parameters = { columns = ["extra.id", "source.ip"], type = "scanner" }
to = ["sink"]
)");
    std::string csv;
    for (int i = 0; i < 40000; ++i) csv += std::to_string(i) + ",192.0.2." + std::to_string(i % 250) + "\n";
    const auto harmonization = sluice::Harmonization::load(p.cfg.harmonization);
    sluice::Message report(sluice::MessageType::report, harmonization);
    REQUIRE(report.set("raw", csv) == sluice::SetResult::ok);
    p.feed({report.json()});
    const auto out = p.run();
    REQUIRE(out.size() == 40000);
    std::set<std::string> ids;
    for (const auto& e : out) {
        const size_t at = e.find("\"extra.id\":\"") + 12;
        ids.insert(e.substr(at, e.find('"', at) - at));
    }
    CHECK(ids.size() == 40000);
}

TEST_CASE(
    "over zmq the host works on later batches while earlier ones await acknowledgement, and acks its input in order") {
    Pipeline p(0, R"(
[bots.fixture]
plugin = "expert_fixture"
to = [{ bot = "sink", transport = "zmq" }]
)");
    std::vector<std::string> in;
    for (int i = 0; i < 5000; ++i) in.push_back(event(i));  // ten batches of 500
    p.feed(in);
    auto transports = sluice::make_transport_factory();
    sluice::HostSignals signals;
    sluice::Host host(p.cfg, "fixture", *transports, signals);  // makes var/run, where the endpoint lives
    auto sink = transports->consumer(p.cfg, "sink", "zmq");
    const auto unacknowledged_input = [&] { return transports->stats(p.cfg, "fixture", "file").records; };
    const auto input_becomes = [&](uint64_t records) {
        for (int i = 0; i < 500 && unacknowledged_input() != records; ++i) std::this_thread::sleep_for(10ms);
        return unacknowledged_input() == records;
    };
    int code = -1;
    std::thread t([&] { code = host.run(); });

    // The sink acknowledges nothing, and still eight batches come: the host did not wait for each.
    size_t received = 0, batches = 0;
    for (int i = 0; i < 200 && batches < 8; ++i) {
        const auto& batch = sink->take(1, 50ms);  // max 1: one batch per take
        if (batch.empty()) continue;
        CHECK(batch.size() == 500);
        received += batch.size();
        ++batches;
    }
    CHECK(batches == 8);
    CHECK(sink->take(1, 500ms).empty());    // the window is full: the ninth waits
    CHECK(unacknowledged_input() == 5000);  // nothing is durable downstream, so nothing is acknowledged

    sink->ack_oldest();
    CHECK(input_becomes(4500));  // exactly the first batch
    const auto& ninth = sink->take(1, 2000ms);
    CHECK(ninth.size() == 500);
    received += ninth.size();
    CHECK(unacknowledged_input() == 4500);

    sink->ack();
    for (int i = 0; i < 200 && received < 5000; ++i) {
        received += sink->take(1000, 50ms).size();
        sink->ack();
    }
    CHECK(received == 5000);
    CHECK(input_becomes(0));
    signals.stop = true;
    t.join();
    CHECK(code == 0);
}

TEST_CASE("over zmq, input that arrives while a batch awaits its acknowledgement is worked on at once") {
    Pipeline p(0, R"(
[bots.fixture]
plugin = "expert_fixture"
to = [{ bot = "sink", transport = "zmq" }]
)");
    const auto events = [](int from, int count) {
        std::vector<std::string> in;
        for (int i = from; i < from + count; ++i) in.push_back(event(i));
        return in;
    };
    p.feed(events(0, 100));
    auto transports = sluice::make_transport_factory();
    sluice::HostSignals signals;
    sluice::Host host(p.cfg, "fixture", *transports, signals);
    auto sink = transports->consumer(p.cfg, "sink", "zmq");
    int code = -1;
    std::thread t([&] { code = host.run(); });

    // The acknowledgement of a ZeroMQ batch comes back only once the whole chain behind holds it.
    // A host that waited for it with nothing in its input would leave what arrives meanwhile
    // waiting that long: here for ever, as the sink acknowledges nothing.
    CHECK(sink->take(1, 2000ms).size() == 100);
    std::this_thread::sleep_for(100ms);  // the host has found its input empty by now
    p.feed(events(100, 100));
    CHECK(sink->take(1, 2000ms).size() == 100);
    CHECK(transports->stats(p.cfg, "fixture", "file").records == 200);  // neither is acknowledged

    sink->ack();
    for (int i = 0; i < 500 && transports->stats(p.cfg, "fixture", "file").records > 0; ++i)
        std::this_thread::sleep_for(10ms);
    CHECK(transports->stats(p.cfg, "fixture", "file").records == 0);
    signals.stop = true;
    t.join();
    CHECK(code == 0);
}

TEST_CASE("error_procedure stop: the host stops on a failed message and acknowledges nothing") {
    Pipeline p(0, R"(
[bots.fixture]
plugin = "expert_fixture"
error_procedure = "stop"
parameters = { fail_times = 5 }
to = ["sink"]
)");
    p.feed({event(1), event(2, "retry"), event(3)});
    auto transports = sluice::make_transport_factory();
    sluice::HostSignals signals;
    int code = -1;
    {
        sluice::Host host(p.cfg, "fixture", *transports, signals);
        code = host.run();  // returns by itself: nobody asks it to stop
    }
    CHECK(code == sluice::Host::kExitErrorProcedureStop);
    CHECK(transports->stats(p.cfg, "fixture", "file").records == 3);  // the whole batch comes again
    CHECK(transports->stats(p.cfg, "sink", "file").records == 0);
    CHECK(sluice::test::count_lines(p.cfg.dump_file("fixture")) == 0);
    CHECK(sluice::test::read_file(p.cfg.log_file("fixture")).find("error_procedure is \"stop\"") != std::string::npos);
}

TEST_CASE("error_dump_message false: a failed message is counted and logged, not dumped") {
    Pipeline p(0, R"(
[bots.fixture]
plugin = "expert_fixture"
error_dump_message = false
error_log_message = true
parameters = { fail_times = 5 }
to = ["sink"]
)");
    p.feed({event(1), event(2, "retry"), event(3)});
    const auto out = p.run();
    CHECK(out.size() == 2);
    CHECK(sluice::test::count_lines(p.cfg.dump_file("fixture")) == 0);
    sluice::BotStats stats;
    REQUIRE(sluice::BotStats::read(p.cfg.stats_file("fixture"), stats));
    CHECK(stats.failed == 1);
    CHECK(stats.dumped == 0);
    // error_log_message puts the message itself in the log.
    CHECK(sluice::test::read_file(p.cfg.log_file("fixture")).find(R"("extra.id":"2")") != std::string::npos);
}

TEST_CASE("has_waiting says whether a file queue holds an unacknowledged message, as stats counts") {
    Pipeline p(0);
    auto transports = sluice::make_transport_factory();
    CHECK_FALSE(transports->has_waiting(p.cfg, "fixture", "file"));  // not even created yet
    p.feed({R"({"__type":"Event","source.ip":"192.0.2.1"})", R"({"__type":"Event","source.ip":"192.0.2.2"})"});
    CHECK(transports->has_waiting(p.cfg, "fixture", "file"));
    CHECK(transports->stats(p.cfg, "fixture", "file").records == 2);
    auto consumer = transports->consumer(p.cfg, "fixture", "file");
    REQUIRE(consumer->take(10, 0ms).size() == 2);
    CHECK(transports->has_waiting(p.cfg, "fixture", "file"));  // taken, not acknowledged
    consumer->ack();
    CHECK_FALSE(transports->has_waiting(p.cfg, "fixture", "file"));
    CHECK(transports->stats(p.cfg, "fixture", "file").records == 0);
}
