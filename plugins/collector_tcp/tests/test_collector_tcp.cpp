// SPDX-License-Identifier: AGPL-3.0-or-later
// collector_tcp through the real host code, fed by a plain socket standing in for IntelMQ's TCP
// output (length-prefixed JSON, waiting for "Ok") or for a newline-delimited sender.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <rapidjson/document.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sluice/codec.hpp>
#include <sluice/core/bot_harness.hpp>
#include <sluice/core/bot_instance.hpp>
#include <sluice/core/defaults.hpp>

#include <chrono>
#include <string>

#include "test_support.hpp"

using sluice::BotHarness;
using sluice::HarnessResult;

namespace {

// A sender connected to the collector.
class Sender {
 public:
    explicit Sender(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    }
    ~Sender() { ::close(fd_); }
    void send(const std::string& bytes) {
        REQUIRE(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
    }
    void send_frame(const std::string& message) {
        const auto n = static_cast<uint32_t>(message.size());
        const char length[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                                static_cast<char>(n)};
        send(std::string(length, 4) + message);
    }
    // What arrives within `seconds`; stops at end of stream (then `closed` is set).
    std::string receive(double seconds = 0.5) {
        std::string out;
        const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        while (std::chrono::steady_clock::now() < until) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) continue;
            char buf[256];
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) {
                closed = true;
                break;
            }
            out.append(buf, static_cast<size_t>(n));
        }
        return out;
    }
    bool closed = false;

 private:
    int fd_ = -1;
};

rapidjson::Document parse(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE_MESSAGE((!d.HasParseError() && d.IsObject()), json);
    return d;
}

std::string params(int port, const std::string& more = "") {
    return R"({"port": )" + std::to_string(port) + R"(, "wait": 1)" + (more.empty() ? "" : ", " + more) + "}";
}

}  // namespace

TEST_CASE("collector_tcp passes IntelMQ events on as events and answers Ok per message once they are stored") {
    const int port = sluice::test::free_port();
    BotHarness bot("collector_tcp", params(port));
    Sender sender(port);
    // IntelMQ's TCP output: flat JSON without __type; and nested, as with hierarchical_output.
    sender.send_frame(R"({"source.ip": "192.0.2.1", "source.port": 22, "classification.type": "scanner",)"
                      R"( "extra.tags": ["a"], "raw": "YSxi"})");
    sender.send_frame(R"({"source": {"ip": "192.0.2.2", "port": 80}, "extra": {"note": "n"}})");
    CHECK(sender.receive(0.2).empty());  // nothing is answered before the host stored the events

    const HarnessResult r = bot.collect();
    CHECK(r.failed.empty());
    const auto& events = r.on("_default");
    REQUIRE(events.size() == 2);
    const auto first = parse(events[0]);
    CHECK(first["__type"] == "Event");
    CHECK(first["source.ip"] == "192.0.2.1");
    CHECK(first["source.port"].GetInt() == 22);
    CHECK(first["extra.tags"][0] == "a");
    CHECK(first["raw"] == "YSxi");
    const auto second = parse(events[1]);
    CHECK(second["source.ip"] == "192.0.2.2");
    CHECK(second["source.port"].GetInt() == 80);
    CHECK(second["extra.note"] == "n");
    // collect() returned after the host's flush and on_durable: now the answers are there.
    CHECK(sender.receive() == "OkOk");
}

TEST_CASE("collector_tcp answers Ok only in on_durable, after the host stored what collect emitted") {
    const int port = sluice::test::free_port();
    // BotInstance, the host's own driver, so that collect and on_durable can be called apart.
    auto harmonization = std::make_shared<const sluice::Harmonization>(
        sluice::Harmonization::load(sluice::default_harmonization_file()));
    sluice::Logger log("test", sluice::LogLevel::critical);
    std::vector<std::string> emitted;
    sluice::BotHooks hooks;
    hooks.emit = [&](std::string_view, const sluice::Message& m) {
        emitted.push_back(m.json());
        return true;
    };
    hooks.fail_record = [](std::string_view, std::string_view) {};
    hooks.counter = [](std::string_view, int64_t) {};
    hooks.should_stop = [] { return false; };
    sluice::BotInstance bot(
        std::make_shared<sluice::Plugin>(sluice::find_plugin("collector_tcp", sluice::plugin_search_path())),
        params(port), harmonization, log, hooks);
    Sender sender(port);
    sender.send_frame(R"({"source.ip": "192.0.2.1"})");
    CHECK(bot.collect().ok());
    CHECK(emitted.size() == 1);
    CHECK(bot.flush().ok());
    CHECK(sender.receive(0.3).empty());  // emitted, but not yet durable downstream
    bot.on_durable();
    CHECK(sender.receive() == "Ok");
}

TEST_CASE("collector_tcp makes a report of a message that is no IntelMQ event, with the feed parameters") {
    const int port = sluice::test::free_port();
    SUBCASE("plain text") {
        BotHarness bot("collector_tcp", params(port, R"("name": "TCP feed", "provider": "Test")"));
        Sender sender(port);
        sender.send_frame("192.0.2.1,scanner");
        const HarnessResult r = bot.collect();
        REQUIRE(r.on("_default").size() == 1);
        const auto report = parse(r.on("_default")[0]);
        CHECK(report["__type"] == "Report");
        CHECK(sluice::base64::decode(report["raw"].GetString()) == "192.0.2.1,scanner");
        CHECK(report["feed.name"] == "TCP feed");
        CHECK(report["feed.provider"] == "Test");
        CHECK(report.HasMember("time.observation"));
        CHECK(sender.receive() == "Ok");
    }
    SUBCASE("JSON too, with intelmq_messages false, as IntelMQ's collector does") {
        BotHarness bot("collector_tcp", params(port, R"("intelmq_messages": false)"));
        Sender sender(port);
        sender.send_frame(R"({"source.ip": "192.0.2.1"})");
        const HarnessResult r = bot.collect();
        REQUIRE(r.on("_default").size() == 1);
        const auto report = parse(r.on("_default")[0]);
        CHECK(report["__type"] == "Report");
        CHECK(sluice::base64::decode(report["raw"].GetString()) == R"({"source.ip": "192.0.2.1"})");
    }
}

TEST_CASE("collector_tcp dumps a received event the harmonization refuses, naming the field, and still answers") {
    const int port = sluice::test::free_port();
    BotHarness bot("collector_tcp", params(port));
    Sender sender(port);
    const std::string bad = R"({"source.ip": "not-an-address", "classification.type": "scanner"})";
    sender.send_frame(bad);
    sender.send_frame(R"({"source.ip": "192.0.2.3"})");
    const HarnessResult r = bot.collect();
    REQUIRE(r.failed.size() == 1);
    CHECK(r.failed[0].record == bad);
    CHECK_MESSAGE(r.failed[0].reason.find("source.ip") != std::string::npos, r.failed[0].reason);
    CHECK(r.on("_default").size() == 1);
    CHECK(sender.receive() == "OkOk");  // the refused one is stored too: in the dump
}

TEST_CASE("collector_tcp reads newline-separated records into one report per round, without answers") {
    const int port = sluice::test::free_port();
    BotHarness bot("collector_tcp", params(port, R"("separator": "\n", "name": "Log lines")"));
    Sender sender(port);
    sender.send("first line\nsecond line\nthird, not ended");
    HarnessResult r = bot.collect();
    REQUIRE(r.on("_default").size() == 1);
    auto report = parse(r.on("_default")[0]);
    CHECK(sluice::base64::decode(report["raw"].GetString()) == "first line\nsecond line\n");
    CHECK(report["feed.name"] == "Log lines");
    sender.send("\n");
    r = bot.collect();
    REQUIRE(r.on("_default").size() == 1);
    CHECK(sluice::base64::decode(parse(r.on("_default")[0])["raw"].GetString()) == "third, not ended\n");
    CHECK(sender.receive().empty());
}

TEST_CASE("collector_tcp closes a connection that does not use IntelMQ's framing") {
    const int port = sluice::test::free_port();
    BotHarness bot("collector_tcp", params(port, R"("max_message_size": 1048576)"));
    Sender sender(port);
    sender.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");  // "GET " read as a length: about 1.2 GB
    const HarnessResult r = bot.collect();
    CHECK(r.on("_default").empty());
    CHECK(sender.receive().empty());
    CHECK(sender.closed);
}

TEST_CASE("collector_tcp refuses an address it cannot listen on, naming it") {
    const int port = sluice::test::free_port();
    BotHarness first("collector_tcp", params(port));
    try {
        BotHarness second("collector_tcp", params(port));
        FAIL("accepted");
    } catch (const std::exception& e) {
        CHECK_MESSAGE(
            std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(port)) != std::string::npos,
            e.what());
    }
}
