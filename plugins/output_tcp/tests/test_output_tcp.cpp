// SPDX-License-Identifier: AGPL-3.0-or-later
// output_tcp through the real host code: IntelMQ's length-prefixed framing and "Ok" answers, the
// plain separated mode, a receiver that does not answer, and Sluice feeding Sluice over loopback
// (output_tcp -> collector_tcp, each in its own BotHarness as in two hosts).
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <rapidjson/document.h>
#include <sluice/bot.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sluice/core/bot_harness.hpp>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

using sluice::BotHarness;
using sluice::HarnessResult;

namespace {

const std::string kEvent1 = R"({"__type":"Event","source.ip":"192.0.2.1","source.port":22,)"
                            R"("classification.type":"scanner","extra.tags":["a","b"],"raw":"MTkyLjAuMi4xLDIy"})";
const std::string kEvent2 = R"({"__type":"Event","source.ip":"192.0.2.2","classification.type":"scanner",)"
                            R"("time.observation":"2015-01-01T00:00:00+00:00"})";

// A loopback listener the test drives by hand, standing in for a receiver.
class TestReceiver {
 public:
    TestReceiver() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(fd_, 4) == 0);
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
    }
    ~TestReceiver() {
        if (conn_ >= 0) ::close(conn_);
        ::close(fd_);
    }
    int port() const { return port_; }
    // Reads until `n` bytes arrived or `seconds` passed; accepts the connection first if needed.
    std::string read(size_t n, double seconds = 5) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        std::string out;
        while (out.size() < n && std::chrono::steady_clock::now() < until) {
            pollfd p{conn_ >= 0 ? conn_ : fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            if (conn_ < 0) {
                conn_ = ::accept(fd_, nullptr, nullptr);
                continue;
            }
            char buf[4096];
            const ssize_t got = ::recv(conn_, buf, std::min(sizeof buf, n - out.size()), 0);
            if (got <= 0) break;
            out.append(buf, static_cast<size_t>(got));
        }
        return out;
    }
    void answer(const std::string& s) {
        REQUIRE(::send(conn_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()));
    }

 private:
    int fd_ = -1, conn_ = -1, port_ = 0;
};

uint32_t frame_length(const std::string& bytes, size_t at) {
    const auto* b = reinterpret_cast<const unsigned char*>(bytes.data() + at);
    return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

rapidjson::Document parse(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE_MESSAGE((!d.HasParseError() && d.IsObject()), json);
    return d;
}

std::string params(int port, const std::string& more = "") {
    return R"({"ip": "127.0.0.1", "port": )" + std::to_string(port) + R"(, "timeout": 2, "reconnect_delay": 0.05)" +
           (more.empty() ? "" : ", " + more) + "}";
}

}  // namespace

TEST_CASE("output_tcp sends IntelMQ's length-prefixed JSON without __type and waits for an Ok per message") {
    TestReceiver receiver;
    BotHarness bot("output_tcp", params(receiver.port()));
    auto sent = std::async(std::launch::async, [&] { return bot.process({kEvent1, kEvent2}); });

    const std::string first_header = receiver.read(4);
    REQUIRE(first_header.size() == 4);
    const std::string first = receiver.read(frame_length(first_header, 0));
    const auto event = parse(first);
    CHECK_FALSE(event.HasMember("__type"));
    CHECK(event["source.ip"] == "192.0.2.1");
    CHECK(event["extra.tags"][1] == "b");
    const std::string second_header = receiver.read(4);
    REQUIRE(second_header.size() == 4);
    CHECK(parse(receiver.read(frame_length(second_header, 0)))["source.ip"] == "192.0.2.2");

    // Without the answers the flush is not done.
    CHECK(sent.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
    receiver.answer("OkOk");
    const HarnessResult r = sent.get();
    CHECK(r.failed.empty());
}

TEST_CASE("output_tcp writes separated JSON lines to a plain receiver, nested with hierarchical_output") {
    TestReceiver receiver;
    BotHarness bot("output_tcp", params(receiver.port(), R"("counterpart_is_intelmq": false, "separator": "\n",)"
                                                         R"( "hierarchical_output": true)"));
    const HarnessResult r = bot.process({kEvent1, kEvent2});
    CHECK(r.failed.empty());
    const std::string text = receiver.read(100000, 1);
    REQUIRE(!text.empty());
    CHECK(text.back() == '\n');
    const auto first = parse(text.substr(0, text.find('\n')));
    CHECK(first["source"]["ip"] == "192.0.2.1");
    CHECK(std::count(text.begin(), text.end(), '\n') == 2);
}

TEST_CASE("output_tcp fails the flush when the receiver does not answer Ok, naming the receiver") {
    TestReceiver receiver;
    BotHarness bot("output_tcp", params(receiver.port(), R"("reconnect_attempts": 0, "timeout": 0.3)"));
    const HarnessResult r = bot.process({kEvent1});
    REQUIRE(r.failed.size() == 1);
    CHECK(r.failed[0].reason.find("flush: giving up after 1 attempt(s)") == 0);
    CHECK(r.failed[0].reason.find("127.0.0.1:" + std::to_string(receiver.port())) != std::string::npos);
}

TEST_CASE("output_tcp refuses a separator together with counterpart_is_intelmq") {
    try {
        BotHarness bot("output_tcp", params(sluice::test::free_port(), R"("separator": "\n")"));
        FAIL("accepted");
    } catch (const std::exception& e) {
        CHECK(std::string(e.what()).find("'separator' and 'counterpart_is_intelmq' exclude each other") !=
              std::string::npos);
    }
}

TEST_CASE("Sluice feeds Sluice: output_tcp to collector_tcp over loopback, acknowledged once stored") {
    const int port = sluice::test::free_port();
    BotHarness collector("collector_tcp", R"({"port": )" + std::to_string(port) + R"(, "wait": 0.2})");
    BotHarness output("output_tcp", params(port));

    // The collector's host runs beside: collect rounds until both events came (or time is up).
    auto received = std::async(std::launch::async, [&] {
        std::vector<std::string> events;
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (events.size() < 2 && std::chrono::steady_clock::now() < until) {
            const HarnessResult r = collector.collect();
            for (const auto& e : r.on("_default")) events.push_back(e);
        }
        return events;
    });
    const HarnessResult sent = output.process({kEvent1, kEvent2});
    CHECK(sent.failed.empty());  // flush returned: both "Ok"s came, after the collector's on_durable
    const auto events = received.get();
    REQUIRE(events.size() == 2);
    const auto first = parse(events[0]);
    CHECK(first["__type"] == "Event");
    CHECK(first["source.ip"] == "192.0.2.1");
    CHECK(first["source.port"].GetInt() == 22);
    CHECK(first["extra.tags"][0] == "a");
    CHECK(first["raw"] == "MTkyLjAuMi4xLDIy");  // base64 kept, not encoded twice
    const auto second = parse(events[1]);
    CHECK(second["time.observation"] == "2015-01-01T00:00:00+00:00");
}
