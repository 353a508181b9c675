// SPDX-License-Identifier: AGPL-3.0-or-later
// collector_http_push through the real host code, POSTed to over loopback sockets. Most cases
// drive it with BotInstance, the host's own driver, so that collect, flush and on_durable can be
// called apart and the answers seen (or not) in between.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <sluice/codec.hpp>
#include <sluice/core/bot_harness.hpp>
#include <sluice/core/bot_instance.hpp>
#include <sluice/core/defaults.hpp>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "push_client.hpp"
#include "test_support.hpp"

using sluice::test::HttpAnswer;
using sluice::test::PushClient;

namespace {

const std::string kToken = "0123456789abcdef-test-token";
const std::string kBearer = "Authorization: Bearer " + kToken + "\r\n";

std::string params(int port, const std::string& more = "") {
    return R"({"port": )" + std::to_string(port) + R"(, "token": ")" + kToken + R"(", "wait": 0.5)" +
           (more.empty() ? "" : ", " + more) + "}";
}

rapidjson::Document parse(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE_MESSAGE((!d.HasParseError() && d.IsObject()), json);
    return d;
}

// The bot under the host's own driver, with what it emitted and logged.
class PushBot {
 public:
    explicit PushBot(const std::string& parameters)
        : log_file_(std::tmpfile()), log_("test", sluice::LogLevel::debug, log_file_) {
        auto harmonization = std::make_shared<const sluice::Harmonization>(
            sluice::Harmonization::load(sluice::default_harmonization_file()));
        sluice::BotHooks hooks;
        hooks.emit = [this](std::string_view, const sluice::Message& m) {
            emitted.push_back(m.json());
            return true;
        };
        hooks.fail_record = [](std::string_view, std::string_view) {};
        hooks.counter = [this](std::string_view name, int64_t delta) { counters[std::string(name)] += delta; };
        hooks.should_stop = [] { return false; };
        bot = std::make_unique<sluice::BotInstance>(
            std::make_shared<sluice::Plugin>(sluice::find_plugin("collector_http_push", sluice::plugin_search_path())),
            parameters, harmonization, log_, hooks);
    }
    ~PushBot() {
        bot.reset();
        std::fclose(log_file_);
    }
    // collect + flush + on_durable, as the host runs a round.
    void round() {
        CHECK(bot->collect().ok());
        CHECK(bot->flush().ok());
        bot->on_durable();
    }
    std::string log() const {
        std::fflush(log_file_);
        std::rewind(log_file_);
        std::string out;
        char buf[4096];
        for (size_t n; (n = std::fread(buf, 1, sizeof buf, log_file_)) > 0;) out.append(buf, n);
        return out;
    }

    std::vector<std::string> emitted;
    std::map<std::string, int64_t> counters;
    std::unique_ptr<sluice::BotInstance> bot;

 private:
    std::FILE* log_file_;
    sluice::Logger log_;
};

std::string raw_of(const std::string& report_json) {
    return sluice::base64::decode(parse(report_json)["raw"].GetString());
}

}  // namespace

TEST_CASE("collector_http_push makes a report of a POST with the right token and answers 202 only in on_durable") {
    const int port = sluice::test::free_port();
    PushBot push(params(port, R"("name": "Pushed feed", "provider": "Partner CERT")"));
    PushClient sender(port);
    const std::string body = "ip,comment\n192.0.2.1,scanner\n";
    sender.post("/submit", body, kBearer);
    CHECK(sender.answer(0.2).status == 0);  // nothing is answered before the report is stored

    CHECK(push.bot->collect().ok());
    REQUIRE(push.emitted.size() == 1);
    const auto report = parse(push.emitted[0]);
    CHECK(report["__type"] == "Report");
    CHECK(raw_of(push.emitted[0]) == body);
    CHECK(report["feed.name"] == "Pushed feed");
    CHECK(report["feed.provider"] == "Partner CERT");
    CHECK(report["feed.accuracy"].GetDouble() == 100.0);
    CHECK(report.HasMember("time.observation"));
    CHECK(push.bot->flush().ok());
    CHECK(sender.answer(0.3).status == 0);  // emitted, but not yet durable downstream

    push.bot->on_durable();
    HttpAnswer a = sender.answer();
    CHECK(a.status == 202);
    CHECK(parse(a.body)["status"] == "accepted");
    CHECK(parse(a.body)["bytes"].GetInt() == static_cast<int>(body.size()));
    CHECK(push.counters["requests_accepted"] == 1);
}

TEST_CASE("collector_http_push keeps a connection alive, takes X-Sluice-Token and report fields from the query") {
    const int port = sluice::test::free_port();
    PushBot push(params(port));
    PushClient sender(port);
    sender.post("/submit", "first", kBearer);
    push.round();
    CHECK(sender.answer().status == 202);

    sender.post("/submit?feed.url=https%3A%2F%2Fpartner.example%2Fexport.csv&extra.batch=b-7", "second",
                "X-Sluice-Token: " + kToken + "\r\n");
    push.round();
    HttpAnswer a = sender.answer();
    CHECK(a.status == 202);
    CHECK_FALSE(a.closed);
    REQUIRE(push.emitted.size() == 2);
    CHECK(raw_of(push.emitted[0]) == "first");
    const auto second = parse(push.emitted[1]);
    CHECK(raw_of(push.emitted[1]) == "second");
    CHECK(second["feed.url"] == "https://partner.example/export.csv");
    CHECK(second["extra.batch"] == "b-7");

    // A query field the harmonization refuses is answered at once, naming it, and stores nothing.
    sender.post("/submit?feed.accuracy=high", "third", kBearer);
    push.bot->collect();
    HttpAnswer refused = sender.answer();
    CHECK(refused.status == 400);
    CHECK_MESSAGE(refused.body.find("feed.accuracy") != std::string::npos, refused.body);
    CHECK(push.emitted.size() == 2);
}

TEST_CASE("collector_http_push answers 401 without or with a wrong token, stores nothing and never logs the token") {
    const int port = sluice::test::free_port();
    PushBot push(params(port));
    const std::string wrong = "wrong-" + kToken;
    PushClient without(port), with_wrong(port);
    without.post("/submit", "x", "");
    with_wrong.post("/submit", "x", "Authorization: Bearer " + wrong + "\r\n");
    push.round();
    HttpAnswer a = without.answer(), b = with_wrong.answer();
    CHECK(a.status == 401);
    CHECK(a.headers["www-authenticate"].find("Bearer") == 0);
    CHECK(b.status == 401);
    CHECK(push.emitted.empty());
    CHECK(push.counters["requests_unauthorized"] == 2);
    const std::string log = push.log();
    CHECK_MESSAGE(log.find("no token") != std::string::npos, log);
    CHECK_MESSAGE(log.find("wrong token") != std::string::npos, log);
    CHECK(log.find(kToken) == std::string::npos);
}

TEST_CASE("collector_http_push answers 413 to a body over max_body_bytes and stores nothing") {
    const int port = sluice::test::free_port();
    PushBot push(params(port, R"("max_body_bytes": 100)"));
    SUBCASE("announced by Content-Length") {
        PushClient sender(port);
        sender.post("/submit", std::string(101, 'x'), kBearer);
        push.round();
        HttpAnswer a = sender.answer();
        CHECK(a.status == 413);
        CHECK(a.headers["connection"] == "close");
    }
    SUBCASE("found while reading a chunked body") {
        PushClient sender(port);
        sender.send("POST /submit HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n" + kBearer + "\r\n" + "50\r\n" +
                    std::string(80, 'x') + "\r\n50\r\n" + std::string(80, 'y') + "\r\n0\r\n\r\n");
        push.round();
        CHECK(sender.answer().status == 413);
    }
    SUBCASE("but a sender without the token learns only 401") {
        PushClient sender(port);
        sender.post("/submit", std::string(101, 'x'), "");
        push.round();
        CHECK(sender.answer().status == 401);
        CHECK(push.emitted.empty());
        return;
    }
    SUBCASE("exactly max_body_bytes is taken") {
        PushClient sender(port);
        sender.post("/submit", std::string(100, 'x'), kBearer);
        push.round();
        CHECK(sender.answer().status == 202);
        CHECK(push.emitted.size() == 1);
        return;
    }
    CHECK(push.emitted.empty());
    CHECK(push.counters["requests_too_large"] == 1);
}

TEST_CASE("collector_http_push answers 404 to other paths, 405 to other methods and 200 to GET /health") {
    const int port = sluice::test::free_port();
    PushBot push(params(port, R"("path": "/api/reports")"));
    PushClient other_path(port), other_method(port), health(port);
    other_path.post("/submit", "x", kBearer);
    other_method.send("GET /api/reports HTTP/1.1\r\nHost: x\r\n" + kBearer + "\r\n");
    health.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    push.round();
    CHECK(other_path.answer().status == 404);
    HttpAnswer m = other_method.answer();
    CHECK(m.status == 405);
    CHECK(m.headers["allow"] == "POST");
    HttpAnswer h = health.answer();
    CHECK(h.status == 200);
    CHECK(parse(h.body)["status"] == "ok");
    CHECK(push.emitted.empty());
}

TEST_CASE(
    "collector_http_push closes the connection without an answer when the host stops before the report is durable") {
    const int port = sluice::test::free_port();
    auto push = std::make_unique<PushBot>(params(port));
    PushClient sender(port);
    sender.post("/submit", "not stored yet", kBearer);
    CHECK(push->bot->collect().ok());
    CHECK(push->emitted.size() == 1);
    push.reset();  // the host's flush or delivery failed and it stops: no on_durable
    HttpAnswer a = sender.answer();
    CHECK(a.status == 0);  // no 2xx, so the sender sends again
    CHECK(a.closed);
}

TEST_CASE("collector_http_push is not held up by a slow sender and closes it after the timeout") {
    const int port = sluice::test::free_port();
    PushBot push(params(port, R"("timeout": 0.6)"));
    PushClient slow(port);
    slow.send("POST /submit HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n" + kBearer + "\r\n0123456789");
    PushClient fast(port);
    fast.post("/submit", "fast", kBearer);
    const auto t0 = std::chrono::steady_clock::now();
    push.round();
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
    CHECK(fast.answer().status == 202);
    REQUIRE(push.emitted.size() == 1);
    CHECK(raw_of(push.emitted[0]) == "fast");
    // Rounds go on (0.5 s each while nothing arrives); the slow sender's time runs out.
    for (int i = 0; i < 3; ++i) push.round();
    HttpAnswer s = slow.answer(0.5);
    CHECK(s.status == 0);
    CHECK(s.closed);
    CHECK(push.counters["requests_timed_out"] == 1);
    CHECK(push.emitted.size() == 1);
}

TEST_CASE("collector_http_push: 300 silent connections from one address leave room for a valid sender") {
    const int port = sluice::test::free_port();
    PushBot push(params(port, R"("header_timeout": 0.5, "timeout": 30)"));
    // One address opens 300 connections and sends nothing (no token, no headers).
    std::vector<std::unique_ptr<PushClient>> idle;
    for (int i = 0; i < 300; ++i) idle.push_back(std::make_unique<PushClient>(port, "127.0.0.2"));
    std::vector<int> status(idle.size(), 0);
    std::vector<bool> closed(idle.size(), false);
    const auto look = [&] {
        for (size_t i = 0; i < idle.size(); ++i) {
            if (closed[i]) continue;
            const HttpAnswer a = idle[i]->answer(0.001);
            if (a.status) status[i] = a.status;
            closed[i] = a.closed;
        }
    };
    // Meanwhile a valid sender from another address; before, it got no answer for as long as the
    // silent ones held every connection slot (30 s each).
    PushClient valid(port);
    valid.post("/submit", "valid", kBearer);
    HttpAnswer answer;
    for (int round = 0; round < 10 && answer.status == 0; ++round) {
        push.round();
        look();
        answer = valid.answer(0.01);
    }
    CHECK(answer.status == 202);
    REQUIRE(push.emitted.size() == 1);
    CHECK(raw_of(push.emitted[0]) == "valid");
    // Beyond 16 at a time the address was answered 429; the ones let in were closed without an
    // answer after header_timeout (0.5 s), not after the 30 s of timeout: within these rounds,
    // every one of the 300 is closed.
    for (int round = 0; round < 4; ++round) {
        push.round();
        look();
    }
    const auto refused = std::count(status.begin(), status.end(), 429);
    CHECK(refused >= 250);
    CHECK(std::count(status.begin(), status.end(), 0) == 300 - refused);
    CHECK(std::count(closed.begin(), closed.end(), true) == 300);
    CHECK(push.counters["connections_refused"] == refused);
}

TEST_CASE("collector_http_push refuses to start without exactly one token or with a bad parameter, naming it") {
    const int port = sluice::test::free_port();
    const std::string p = std::to_string(port);
    const auto refusal = [](const std::string& json) -> std::string {
        try {
            sluice::BotHarness bot("collector_http_push", json);
        } catch (const std::exception& e) {
            return e.what();
        }
        return "started";
    };
    sluice::test::TempDir dir("http-push-params");
    const std::string token_file = (dir / "token").string();
    sluice::test::write_file(token_file, kToken + "\n");

    std::string why = refusal(R"({"port": )" + p + "}");
    CHECK_MESSAGE(why.find("no token") != std::string::npos, why);
    why = refusal(params(port, R"("token_file": ")" + token_file + "\""));
    CHECK_MESSAGE(why.find("'token' and 'token_file' are both set") != std::string::npos, why);
    why = refusal(params(port, R"("path": "submit")"));
    CHECK_MESSAGE(why.find("parameter 'path'") != std::string::npos, why);
    why = refusal(params(port, R"("max_body_bytes": 0)"));
    CHECK_MESSAGE(why.find("max_body_bytes") != std::string::npos, why);
    why = refusal(params(port, R"("ip": "not-an-address")"));
    CHECK_MESSAGE(why.find("not an IP address") != std::string::npos, why);
    CHECK(refusal(R"({"port": )" + p + R"(, "token_file": ")" + token_file + "\"}") == "started");
}
