// SPDX-License-Identifier: AGPL-3.0-or-later
// Switching broker is a configuration change: the same pipeline with every edge on file, on zmq,
// on amqp, and on a mix (including a bot fed over two transports at once) writes the same events;
// and the same pipeline split over two configurations ("machines") joined by one broker.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "rabbitmq_server.hpp"
#include "test_support.hpp"

using sluice::test::TempDir;

namespace {

constexpr int kRowsPerFeed = 1500;

void write_feeds(const TempDir& dir) {
    for (const char* feed : {"a", "b"}) {
        std::ofstream out(dir / (std::string(feed) + ".csv"));
        for (int i = 0; i < kRowsPerFeed; ++i)
            out << feed << i << ",2026-11-27T10:00:" << (i % 60 < 10 ? "0" : "") << i % 60 << "+00:00,198.51."
                << (i >> 8) % 256 << "." << i % 256 << ",http://" << feed << i << ".example.net/p?q=" << i << "\n";
    }
}

// The pipeline; `edges` gives the transport of each of the four edges.
std::string pipeline(const std::string& a_to_parser, const std::string& b_to_parser, const std::string& parser_to_tax,
                     const std::string& tax_to_out, const std::string& amqp_url) {
    auto edge = [](const std::string& bot, const std::string& t) {
        return "{ bot = \"" + bot + "\", transport = \"" + t + "\" }";
    };
    return sluice::test::test_paths() + "[transports.amqp]\nurl = \"" + amqp_url + "\"\n" + R"(
[defaults]
batch_size = 100
[bots.collector-a]
plugin = "collector_file"
run_mode = "scheduled"
parameters = { path = "a.csv", name = "feed a", provider = "test" }
to = [)" + edge("parser", a_to_parser) +
           R"(]
[bots.collector-b]
plugin = "collector_file"
run_mode = "scheduled"
parameters = { path = "b.csv", name = "feed b", provider = "test" }
to = [)" + edge("parser", b_to_parser) +
           R"(]
[bots.parser]
plugin = "parser_csv"
parameters = { columns = ["extra.id", "time.source", "source.ip", "source.url"], type = "phishing" }
to = [)" + edge("taxonomy", parser_to_tax) +
           R"(]
[bots.taxonomy]
plugin = "expert_taxonomy"
to = [)" + edge("out", tax_to_out) +
           R"(]
[bots.out]
plugin = "output_file"
parameters = { file = "var/events.jsonl" }
)";
}

// The events written, sorted, each without what differs between runs: the observation time and the
// temporary folder in feed.url.
std::vector<std::string> run_pipeline(const std::string& config) {
    TempDir dir("sluice-equivalence");
    write_feeds(dir);
    sluice::test::write_file(dir / "sluice.toml", config);
    const auto up = sluice::test::run_command(sluice::test::sluicectl() + " --config " +
                                              (dir / "sluice.toml").string() + " up --until-idle --timeout 120");
    INFO(up.output);
    REQUIRE(up.exit_code == 0);
    std::vector<std::string> events;
    std::ifstream in(dir / "var" / "events.jsonl");
    const std::regex observation(R"("time\.observation":"[^"]*",?)");
    const std::string folder = dir.path().string();
    for (std::string line; std::getline(in, line);) {
        line = std::regex_replace(line, observation, "");
        if (const auto at = line.find(folder); at != std::string::npos) line.replace(at, folder.size(), "<dir>");
        events.push_back(line);
    }
    std::sort(events.begin(), events.end());
    return events;
}

// Equal, or says how the two differ: sizes and the first event that differs.
void check_same(const std::vector<std::string>& got, const std::vector<std::string>& want, const std::string& mode) {
    std::string why = mode + ": " + std::to_string(got.size()) + " events, expected " + std::to_string(want.size());
    const auto diff = std::mismatch(got.begin(), got.end(), want.begin(), want.end());
    if (diff.first != got.end()) why += "\nfirst different event: " + *diff.first;
    if (diff.second != want.end()) why += "\nexpected:              " + *diff.second;
    CHECK_MESSAGE(got == want, why);
}

}  // namespace

TEST_CASE("the same pipeline on file, zmq, amqp and mixed edges writes the same events") {
    sluice::test::RabbitMqServer rabbit;
    const std::string url = rabbit.url();
    const auto on_file = run_pipeline(pipeline("file", "file", "file", "file", url));
    REQUIRE(on_file.size() == 2 * kRowsPerFeed);
    CHECK(std::adjacent_find(on_file.begin(), on_file.end()) == on_file.end());  // no duplicates
    CHECK(on_file.front().find("\"classification.taxonomy\":\"fraud\"") != std::string::npos);

    check_same(run_pipeline(pipeline("zmq", "zmq", "zmq", "zmq", url)), on_file, "zmq");
    check_same(run_pipeline(pipeline("amqp", "amqp", "amqp", "amqp", url)), on_file, "amqp");
    // The parser is fed over the file queue and ZeroMQ at once; the other edges differ too.
    check_same(run_pipeline(pipeline("file", "zmq", "amqp", "zmq", url)), on_file, "file+zmq, amqp, zmq");
    check_same(run_pipeline(pipeline("amqp", "file", "zmq", "amqp", url)), on_file, "amqp+file, zmq, amqp");
}

TEST_CASE("two configurations, one broker: a pipeline split over two machines delivers every event") {
    // docs/rabbitmq-cluster.md's worked example: machine A collects and parses, machine B
    // enriches and writes; each has its own configuration and var folder, the broker joins them.
    sluice::test::RabbitMqServer rabbit;
    TempDir a("sluice-machine-a"), b("sluice-machine-b");
    write_feeds(a);
    const std::string header = sluice::test::test_paths() +
                               "[transports.amqp]\nurl = \"amqp://127.0.0.1:" + std::to_string(rabbit.port()) +
                               "/\"\nusername = \"guest\"\npassword_env = \"SLUICE_TEST_AMQP_PASSWORD\"\n";
    sluice::test::write_file(a / "collect.toml", header + R"(
[bots.collector-a]
plugin = "collector_file"
run_mode = "scheduled"
parameters = { path = "a.csv", name = "feed a", provider = "test" }
to = ["parser"]
[bots.parser]
plugin = "parser_csv"
parameters = { columns = ["extra.id", "time.source", "source.ip", "source.url"], type = "phishing" }
to = [{ bot = "taxonomy", transport = "amqp" }]
[bots.taxonomy]
remote = true
)");
    sluice::test::write_file(b / "process.toml", header + R"(
[bots.parser]
remote = true
to = [{ bot = "taxonomy", transport = "amqp" }]
[bots.taxonomy]
plugin = "expert_taxonomy"
to = ["out"]
[bots.out]
plugin = "output_file"
parameters = { file = "var/events.jsonl" }
)");
    const std::string env = "SLUICE_TEST_AMQP_PASSWORD=guest ";
    auto ctl = [&](const TempDir& dir, const char* file, const std::string& verb) {
        return sluice::test::run_command(env + sluice::test::sluicectl() + " --config " + (dir / file).string() + " " +
                                         verb);
    };
    for (auto [dir, file] : {std::pair{&a, "collect.toml"}, std::pair{&b, "process.toml"}}) {
        const auto check = ctl(*dir, file, "check");
        INFO(check.output);
        CHECK(check.exit_code == 0);
    }
    const auto up_a = ctl(a, "collect.toml", "up --until-idle --timeout 120");
    INFO(up_a.output);
    REQUIRE(up_a.exit_code == 0);
    // Machine A is done; its events wait in the broker for machine B.
    const auto queues = ctl(b, "process.toml", "list queues");
    INFO(queues.output);
    CHECK(queues.output.find("taxonomy-queue") != std::string::npos);
    // The broker counts messages: the events wait packed, a batch to a message.
    CHECK(queues.output.find("amqp (messages of up to 500 records)") != std::string::npos);
    const size_t line = queues.output.find("taxonomy-queue ");
    REQUIRE(line != std::string::npos);
    CHECK(std::stoul(queues.output.substr(line + std::strlen("taxonomy-queue "))) > 0);
    CHECK(queues.exit_code == 0);
    const auto up_b = ctl(b, "process.toml", "up --until-idle --timeout 120");
    INFO(up_b.output);
    REQUIRE(up_b.exit_code == 0);
    CHECK(sluice::test::count_lines(b / "var" / "events.jsonl") == static_cast<size_t>(kRowsPerFeed));
    CHECK_FALSE(std::filesystem::exists(b / "var" / "queues" / "taxonomy"));  // nothing went through a file queue

    SUBCASE("an unreachable broker is a problem for check, without the password") {
        rabbit.stop();
        const auto check = ctl(b, "process.toml", "check");
        CHECK(check.exit_code == 1);
        CHECK(check.output.find("broker unreachable") != std::string::npos);
        CHECK(check.output.find("guest@127.0.0.1") != std::string::npos);
        CHECK(check.output.find("guest:guest") == std::string::npos);
    }
}
