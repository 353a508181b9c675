// SPDX-License-Identifier: AGPL-3.0-or-later
// The AMQP transport against a real RabbitMQ node (started privately by the test): confirms,
// acknowledgements, redelivery of what was not acknowledged, a broker restart in the middle of a
// publish, credentials from the environment, passwords kept out of every message, and records
// packed several to a message (records_per_message) next to IntelMQ's one-record messages.
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>

#include "rabbitmq_server.hpp"
#include "sluice/brokers/amqp_queue.hpp"
#include "tcp_proxy.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

sluice::AmqpSettings settings_for(const sluice::test::RabbitMqServer& rabbit) {
    sluice::AmqpSettings s;
    s.url = rabbit.url();
    return s;
}

std::vector<std::string> take(sluice::QueueConsumer& c, size_t want, size_t max = 100) {
    std::vector<std::string> out;
    for (int i = 0; i < 200 && out.size() < want; ++i)
        for (auto r : c.take(max, 50ms)) out.emplace_back(r);
    return out;
}

// "Someone else" on the broker, e.g. IntelMQ: plain rabbitmq-c, without Sluice's transport code.
class RawClient {
 public:
    explicit RawClient(int port) : conn_(amqp_new_connection()) {
        amqp_socket_t* socket = amqp_tcp_socket_new(conn_);
        REQUIRE(amqp_socket_open(socket, "127.0.0.1", port) == AMQP_STATUS_OK);
        REQUIRE(amqp_login(conn_, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest").reply_type ==
                AMQP_RESPONSE_NORMAL);
        amqp_channel_open(conn_, 1);
        REQUIRE(amqp_get_rpc_reply(conn_).reply_type == AMQP_RESPONSE_NORMAL);
    }
    ~RawClient() {
        amqp_channel_close(conn_, 1, AMQP_REPLY_SUCCESS);
        amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
        amqp_destroy_connection(conn_);
    }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    // Declares the queue as Sluice does (durable, quorum) and publishes one persistent message.
    void publish(const std::string& queue, const std::string& body, const char* content_type) {
        amqp_table_entry_t type;
        type.key = amqp_cstring_bytes("x-queue-type");
        type.value.kind = AMQP_FIELD_KIND_UTF8;
        type.value.value.bytes = amqp_cstring_bytes("quorum");
        amqp_queue_declare(conn_, 1, amqp_cstring_bytes(queue.c_str()), 0, 1, 0, 0, amqp_table_t{1, &type});
        REQUIRE(amqp_get_rpc_reply(conn_).reply_type == AMQP_RESPONSE_NORMAL);
        amqp_basic_properties_t props{};
        props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
        props.delivery_mode = 2;
        if (content_type) {
            props._flags |= AMQP_BASIC_CONTENT_TYPE_FLAG;
            props.content_type = amqp_cstring_bytes(content_type);
        }
        amqp_bytes_t b{body.size(), const_cast<char*>(body.data())};
        REQUIRE(amqp_basic_publish(conn_, 1, amqp_empty_bytes, amqp_cstring_bytes(queue.c_str()), 0, 0, &props, b) ==
                AMQP_STATUS_OK);
    }

    // One message's content type and body by basic.get, not acknowledged: it goes back to the
    // queue when this client closes its channel.
    struct Got {
        std::string content_type, body;
    };
    std::optional<Got> get(const std::string& queue) {
        const amqp_rpc_reply_t r = amqp_basic_get(conn_, 1, amqp_cstring_bytes(queue.c_str()), /*no_ack*/ 0);
        REQUIRE(r.reply_type == AMQP_RESPONSE_NORMAL);
        if (r.reply.id != AMQP_BASIC_GET_OK_METHOD) return std::nullopt;
        amqp_message_t m;
        REQUIRE(amqp_read_message(conn_, 1, &m, 0).reply_type == AMQP_RESPONSE_NORMAL);
        Got got;
        if (m.properties._flags & AMQP_BASIC_CONTENT_TYPE_FLAG)
            got.content_type.assign(static_cast<const char*>(m.properties.content_type.bytes),
                                    m.properties.content_type.len);
        got.body.assign(static_cast<const char*>(m.body.bytes), m.body.len);
        amqp_destroy_message(&m);
        return got;
    }

 private:
    amqp_connection_state_t conn_;
};

}  // namespace

TEST_CASE("amqp delivers confirmed batches and delivers again what was taken but not acknowledged") {
    sluice::test::RabbitMqServer rabbit;
    const auto s = settings_for(rabbit);
    auto producer = sluice::open_amqp_producer(s, "parser-queue");
    REQUIRE(producer->append({"e1", "e2", "e3"}, {}));
    CHECK(sluice::amqp_queue_stats(s, "parser-queue").records == 1);  // one message of three records
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

    // ack_oldest acknowledges the oldest take only: the later one comes again.
    REQUIRE(producer->append({"f1"}, {}));
    REQUIRE(producer->append({"f2"}, {}));
    {
        auto c = sluice::open_amqp_consumer(s, "parser-queue");
        CHECK(take(*c, 1, 1) == std::vector<std::string>{"f1"});
        CHECK(take(*c, 1, 1) == std::vector<std::string>{"f2"});
        c->ack_oldest();
    }
    {
        auto c = sluice::open_amqp_consumer(s, "parser-queue");
        CHECK(take(*c, 1) == std::vector<std::string>{"f2"});
        CHECK(c->take(10, 300ms).empty());
        c->ack();
    }
    CHECK(sluice::amqp_queue_stats(s, "parser-queue").records == 0);

    // send() returns before the broker's confirms; they are counted in order as they come.
    uint64_t t1 = 0, t2 = 0;
    REQUIRE(producer->send({"g1"}, {}, t1));
    REQUIRE(producer->send({"g2", "g3"}, {}, t2));
    CHECK(t1 < t2);
    CHECK(producer->wait_durable(t2, {}));
    CHECK(producer->durable() >= t2);
    {
        auto c = sluice::open_amqp_consumer(s, "parser-queue");
        CHECK(take(*c, 3) == std::vector<std::string>{"g1", "g2", "g3"});
        c->ack();
    }

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

TEST_CASE("amqp sync publishes again what a lost connection took, with no wait for confirms") {
    sluice::test::RabbitMqServer rabbit;
    sluice::test::TcpProxy proxy(rabbit.port());
    auto s = settings_for(rabbit);
    s.url = "amqp://guest:guest@127.0.0.1:" + std::to_string(proxy.port()) + "/";
    auto producer = sluice::open_amqp_producer(s, "sync-queue");
    REQUIRE(producer->append({"first"}, {}));  // connected, the queue declared

    // The confirm of "second" is held back, then the connection is lost: it can never come.
    proxy.hold_replies(true);
    uint64_t ticket = 0;
    REQUIRE(producer->send({"second"}, {}, ticket));
    std::this_thread::sleep_for(300ms);
    CHECK(producer->durable() < ticket);
    proxy.cut();
    proxy.hold_replies(false);

    // A host with no input waiting calls sync() and durable(), never wait_durable(): sync() must
    // connect again and publish again, or the batch would stay unconfirmed for ever.
    for (int i = 0; i < 400 && producer->durable() < ticket; ++i) {
        producer->sync();
        std::this_thread::sleep_for(50ms);
    }
    CHECK(producer->durable() >= ticket);
    auto consumer = sluice::open_amqp_consumer(settings_for(rabbit), "sync-queue");
    const auto got = take(*consumer, 2);
    REQUIRE(got.size() >= 2);
    CHECK(got[0] == "first");
    CHECK(got[1] == "second");  // maybe twice: the broker may have stored the first copy too
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

TEST_CASE("amqp packs a batch into messages of records_per_message records and splits them again") {
    sluice::test::RabbitMqServer rabbit;
    auto s = settings_for(rabbit);
    s.records_per_message = 4;
    auto producer = sluice::open_amqp_producer(s, "dedup-queue");
    std::vector<std::string> sent;
    for (int i = 0; i < 10; ++i) sent.push_back(R"({"n":)" + std::to_string(i) + "}");
    REQUIRE(producer->append(std::vector<std::string_view>(sent.begin(), sent.end()), {}));
    // 10 records, 4 to a message: 4 + 4 + 2.
    CHECK(sluice::amqp_queue_stats(s, "dedup-queue").records == 3);
    {
        RawClient raw(rabbit.port());
        auto first = raw.get("dedup-queue");
        REQUIRE(first);
        CHECK(first->content_type == "application/x-ndjson");
        CHECK(first->body == sent[0] + "\n" + sent[1] + "\n" + sent[2] + "\n" + sent[3]);
    }
    auto consumer = sluice::open_amqp_consumer(s, "dedup-queue");
    // A message is taken whole: asking for 1 record gives the 4 of the first message.
    std::vector<std::string> got = take(*consumer, 1, 1);
    CHECK(got == std::vector<std::string>(sent.begin(), sent.begin() + 4));
    // The prefetch follows the first take's `max`: two messages here, so acknowledge to get more.
    consumer->ack();
    for (auto& r : take(*consumer, 6)) got.push_back(r);
    CHECK(got == sent);
    consumer->ack();
    consumer.reset();
    CHECK(sluice::amqp_queue_stats(s, "dedup-queue").records == 0);

    SUBCASE("a packed message stops at 16 MiB") {
        auto c = sluice::open_amqp_consumer(s, "dedup-queue");
        std::vector<std::string> big;
        for (char ch : std::string("abcdefghijklmnopqrst")) big.emplace_back(1u << 20, ch);  // 20 × 1 MiB
        s.records_per_message = 100;
        auto p = sluice::open_amqp_producer(s, "dedup-queue");
        REQUIRE(p->append(std::vector<std::string_view>(big.begin(), big.end()), {}));
        CHECK(sluice::amqp_queue_stats(s, "dedup-queue").records == 2);  // 15 MiB + 5 MiB
        CHECK(take(*c, 20) == big);
        c->ack();
    }

    SUBCASE("a record with a newline is never packed but sent alone, in its place") {
        auto c = sluice::open_amqp_consumer(s, "dedup-queue");
        REQUIRE(producer->append({"a", "b", "multi\nline", "c"}, {}));
        CHECK(sluice::amqp_queue_stats(s, "dedup-queue").records == 3);  // [a b], [multi\nline], [c]
        CHECK(take(*c, 4) == std::vector<std::string>{"a", "b", "multi\nline", "c"});
        c->ack();
    }
}

TEST_CASE("amqp with records_per_message = 1 publishes one application/json message per record") {
    sluice::test::RabbitMqServer rabbit;
    auto s = settings_for(rabbit);
    s.records_per_message = 1;
    auto producer = sluice::open_amqp_producer(s, "output-queue");
    REQUIRE(producer->append({R"({"n":1})", R"({"n":2})", R"({"n":3})", R"({"n":4})", R"({"n":5})"}, {}));
    CHECK(sluice::amqp_queue_stats(s, "output-queue").records == 5);
    RawClient raw(rabbit.port());
    for (int i = 1; i <= 5; ++i) {
        auto m = raw.get("output-queue");
        REQUIRE(m);
        CHECK(m->content_type == "application/json");
        CHECK(m->body == R"({"n":)" + std::to_string(i) + "}");
    }
}

TEST_CASE("amqp reads a message someone else published as one record, whatever its newlines") {
    sluice::test::RabbitMqServer rabbit;
    const auto s = settings_for(rabbit);  // records_per_message = 500: packing does not change reading
    const std::string pretty = "{\n  \"source.ip\": \"192.0.2.1\"\n}";
    {
        RawClient raw(rabbit.port());
        raw.publish("intelmq-queue", R"({"source.ip":"192.0.2.2"})", "application/json");
        raw.publish("intelmq-queue", pretty, "application/json");
        raw.publish("intelmq-queue", "no\ncontent\ntype", nullptr);
    }
    auto consumer = sluice::open_amqp_consumer(s, "intelmq-queue");
    CHECK(take(*consumer, 3) == std::vector<std::string>{R"({"source.ip":"192.0.2.2"})", pretty, "no\ncontent\ntype"});
    consumer->ack();

    SUBCASE("a flood of one-record messages still comes in whole batches, not a prefetch of a few") {
        std::vector<std::string> sent;
        {
            RawClient raw(rabbit.port());
            for (int i = 0; i < 300; ++i) {
                sent.push_back(R"({"id":)" + std::to_string(i) + "}");
                raw.publish("intelmq-queue", sent.back(), "application/json");
            }
        }
        std::vector<std::string> got;
        size_t largest = 0;
        for (int i = 0; i < 400 && got.size() < sent.size(); ++i) {
            const auto& batch = consumer->take(100, 50ms);
            largest = std::max(largest, batch.size());
            got.insert(got.end(), batch.begin(), batch.end());
            consumer->ack();
        }
        CHECK(got == sent);
        // The prefetch starts at 8 messages (packed ones expected): it must have grown.
        CHECK(largest > 8);
        // And what was taken before it grew was acknowledged all the same: nothing comes back.
        consumer.reset();
        CHECK(sluice::amqp_queue_stats(s, "intelmq-queue").records == 0);
    }
}

TEST_CASE("amqp delivers a packed message again, whole, when its consumer dies without ack") {
    sluice::test::RabbitMqServer rabbit;
    const auto s = settings_for(rabbit);  // the default: 500 to a message
    std::vector<std::string> sent;
    for (int i = 0; i < 1200; ++i) sent.push_back(R"({"id":)" + std::to_string(i) + "}");
    auto producer = sluice::open_amqp_producer(s, "taxonomy-queue");
    REQUIRE(producer->append(std::vector<std::string_view>(sent.begin(), sent.end()), {}));
    CHECK(sluice::amqp_queue_stats(s, "taxonomy-queue").records == 3);  // 500 + 500 + 200
    {
        auto dying = sluice::open_amqp_consumer(s, "taxonomy-queue");
        CHECK(take(*dying, 1200) == sent);
        // Gone without ack(): every packed message must come again, none of it lost.
    }
    auto consumer = sluice::open_amqp_consumer(s, "taxonomy-queue");
    const std::vector<std::string> first = take(*consumer, 1, 10);
    CHECK(first == std::vector<std::string>(sent.begin(), sent.begin() + 500));
    consumer->ack();
    consumer.reset();
    // Asked on another connection, which may come before the broker applied the acknowledgement.
    CHECK(sluice::test::eventually([&] { return sluice::amqp_queue_stats(s, "taxonomy-queue").records == 2; }, 10));
    auto rest = sluice::open_amqp_consumer(s, "taxonomy-queue");
    CHECK(take(*rest, 700) == std::vector<std::string>(sent.begin() + 500, sent.end()));
    rest->ack();
}

TEST_CASE("sluicectl run refuses to take one record of a packed message, whose records are acknowledged together") {
    sluice::test::RabbitMqServer rabbit;
    const auto s = settings_for(rabbit);
    {
        auto producer = sluice::open_amqp_producer(s, "fixture-queue");
        const std::vector<std::string> records = {R"({"__type":"Event","source.ip":"192.0.2.1"})",
                                                  R"({"__type":"Event","source.ip":"192.0.2.2"})",
                                                  R"({"__type":"Event","source.ip":"192.0.2.3"})"};
        const std::vector<std::string_view> views(records.begin(), records.end());
        REQUIRE(producer->append(views, [] { return false; }));
    }
    REQUIRE(sluice::amqp_queue_stats(s, "fixture-queue").records == 1);  // three records, one message

    // src (never started) feeds fixture over AMQP; fixture writes to out over the file queue.
    sluice::test::TempDir dir;
    sluice::test::write_file(dir / "sluice.toml",
                             sluice::test::test_paths() + "plugins = [\"" +
                                 (sluice::test::build_dir() / "tests" / "fixtures").string() +
                                 "\"]\n[transports.amqp]\nurl = \"" + rabbit.url() +
                                 "\"\n[bots.src]\nplugin = \"collector_file\"\nparameters = { path = \"in\" }\n"
                                 "to = [{ bot = \"fixture\", transport = \"amqp\" }]\n"
                                 "[bots.fixture]\nplugin = \"expert_fixture\"\nto = [\"out\"]\n"
                                 "[bots.out]\nplugin = \"output_file\"\nparameters = { file = \"out.jsonl\" }\n");
    const std::string ctl = sluice::test::sluicectl() + " --config " + (dir / "sluice.toml").string();

    auto refused = sluice::test::run_command(ctl + " run fixture --show-sent");
    CHECK(refused.exit_code == 2);
    CHECK(refused.output.find("holds 3 records that can only be acknowledged together") != std::string::npos);
    auto dry = sluice::test::run_command(ctl + " run fixture --dry-run --show-sent");
    CHECK(dry.exit_code == 0);
    CHECK(dry.output.find("192.0.2.1") != std::string::npos);

    // Nothing was acknowledged: the three records are all still there.
    auto consumer = sluice::open_amqp_consumer(s, "fixture-queue");
    CHECK(take(*consumer, 3).size() == 3);
}

TEST_CASE("a password changed on the broker shows as access refused (403) in the log, status and health") {
    sluice::test::RabbitMqServer rabbit;
    REQUIRE(rabbit.ctl("add_user sluice right-password").exit_code == 0);
    REQUIRE(rabbit.ctl("set_permissions -p / sluice '.*' '.*' '.*'").exit_code == 0);
    // sink consumes its input over AMQP (feeder, on another machine, is who sends there).
    sluice::test::TempDir dir;
    sluice::test::write_file(
        dir / "sluice.toml",
        sluice::test::test_paths() +
            "[transports.amqp]\nurl = \"amqp://sluice:right-password@127.0.0.1:" + std::to_string(rabbit.port()) +
            "/\"\n[bots.feeder]\nplugin = \"expert_taxonomy\"\nremote = true\n"
            "to = [{ bot = \"sink\", transport = \"amqp\" }]\n"
            "[bots.sink]\nplugin = \"output_file\"\nparameters = { file = \"out.jsonl\" }\n");
    const std::string ctl = sluice::test::sluicectl() + " --config " + (dir / "sluice.toml").string();
    REQUIRE(sluice::test::run_command(ctl + " start sink").exit_code == 0);
    struct Stop {
        std::string ctl;
        ~Stop() { (void)sluice::test::run_command(ctl + " stop"); }
    } stop{ctl};
    const auto status = [&] { return sluice::test::run_command(ctl + " status sink").output; };
    REQUIRE(sluice::test::eventually([&] { return status().find("sink: running") == 0; }, 20));

    REQUIRE(sluice::test::eventually(
        [&] { return rabbit.ctl("list_connections user").output.find("sluice") != std::string::npos; }, 20));
    CHECK(sluice::test::run_command(ctl + " health").exit_code == 0);
    // The password changes and the broker drops the connections: every login is refused now.
    REQUIRE(rabbit.ctl("change_password sluice new-password").exit_code == 0);
    REQUIRE(rabbit.ctl("close_all_connections --global 'password changed'").exit_code == 0);
    std::string shown;
    CHECK(sluice::test::eventually(
        [&] {
            shown = status();
            return shown.find("sink: broker error (") == 0 && shown.find("403 ACCESS_REFUSED") != std::string::npos;
        },
        20));
    INFO(shown);
    CHECK(shown.find("new-password") == std::string::npos);
    CHECK(shown.find("right-password") == std::string::npos);
    const auto health = sluice::test::run_command(ctl + " health");
    CHECK(health.exit_code == 1);
    CHECK(health.output.find("broker error: sink") != std::string::npos);
    // The log says both: the forced close, then the refused login (each once, not per attempt).
    const std::string log = sluice::test::read_file(dir / "var" / "log" / "sink.log");
    INFO(log);
    CHECK(log.find("connection closed by the broker: 320 CONNECTION_FORCED") != std::string::npos);
    CHECK(log.find("unexpected protocol state") == std::string::npos);
    const auto first = log.find("403 ACCESS_REFUSED");
    CHECK(first != std::string::npos);
    CHECK(log.find("403 ACCESS_REFUSED", first + 1) == std::string::npos);

    // The old password back: the host connects again and the state clears.
    REQUIRE(rabbit.ctl("change_password sluice right-password").exit_code == 0);
    CHECK(sluice::test::eventually([&] { return status().find("sink: running") == 0; }, 30));
    CHECK(sluice::test::run_command(ctl + " health").exit_code == 0);
}
