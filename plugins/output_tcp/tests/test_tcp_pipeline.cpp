// SPDX-License-Identifier: AGPL-3.0-or-later
// Two pipelines joined by TCP, each bot in its own sluice-host process: feed -> parser -> output_tcp
// ==TCP==> collector_tcp -> output_file. The receiving host is killed with SIGKILL while events
// flow and started again: the sender gets no "Ok" for what was not stored, sends it again, and not
// one event is lost.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace sluice::test;

namespace {

constexpr int kEvents = 20000;

// The hosts this test started and has not reaped yet; each is killed and reaped when the test ends,
// however it ends (never a pid already reaped, which may belong to someone else by then).
struct Hosts {
    std::vector<int> pids;
    int add(int pid) {
        pids.push_back(pid);
        return pid;
    }
    // SIGKILL and reap; the exit status.
    int kill9(int pid) {
        ::kill(pid, SIGKILL);
        const int code = wait_exit(pid, 5);
        std::erase(pids, pid);
        return code;
    }
    int wait(int pid, double seconds) {
        const int code = wait_exit(pid, seconds);
        if (code != -1) std::erase(pids, pid);
        return code;
    }
    ~Hosts() {
        for (int pid : pids) {
            ::kill(pid, SIGKILL);
            wait_exit(pid, 5);
        }
    }
};

std::set<int> received_ids(const fs::path& file, size_t& lines) {
    std::set<int> ids;
    lines = 0;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        ++lines;
        rapidjson::Document d;
        d.Parse(line.c_str());
        if (!d.HasParseError() && d.IsObject() && d.HasMember("extra.n") && d["extra.n"].IsInt())
            ids.insert(d["extra.n"].GetInt());
    }
    return ids;
}

}  // namespace

TEST_CASE("two hosts joined by output_tcp and collector_tcp lose no event when the receiver is killed") {
    TempDir dir("tcp-pipeline");
    const int port = sluice::test::free_port();
    fs::create_directories(dir / "conf");
    std::ostringstream events;
    for (int i = 0; i < kEvents; ++i) {
        events << R"({"__type":"Event","source.ip":"10.0.)" << (i / 256 % 256) << "." << (i % 256)
               << R"(","classification.type":"scanner","extra.n":)" << i << "}\n";
    }
    write_file(dir / "conf" / "events.jsonl", events.str());
    write_file(dir / "conf" / "sluice.toml", R"([paths]
var = "../var"
harmonization = ")" + (source_dir() / "conf" / "harmonization.toml").string() +
                                                 R"("

[defaults]
transport = "file"
batch_size = 500

[bots.feed]
plugin = "collector_file"
run_mode = "scheduled"
parameters = { path = "events.jsonl", postfix = ".jsonl", name = "TCP test" }
to = ["parser"]

[bots.parser]
plugin = "parser_json"
parameters = { splitlines = true }
to = ["tcp-out"]

[bots.tcp-out]
plugin = "output_tcp"
parameters = { ip = "127.0.0.1", port = )" + std::to_string(port) +
                                                 R"(, reconnect_delay = 0.2, reconnect_attempts = 20 }

[bots.tcp-in]
plugin = "collector_tcp"
rate_limit = 0.01
parameters = { port = )" + std::to_string(port) + R"(, wait = 0.2 }
to = ["events-file"]

[bots.events-file]
plugin = "output_file"
parameters = { file = "../var/received.jsonl" }
)");
    const std::string host = (build_dir() / "bin" / "sluice-host").string();
    const std::string config = (dir / "conf" / "sluice.toml").string();
    Hosts hosts;
    auto start = [&](const std::string& bot) {
        return hosts.add(spawn({host, "--config", config, bot}, dir / (bot + ".log")));
    };
    int receiver = start("tcp-in");
    for (const char* bot : {"events-file", "tcp-out", "parser"}) start(bot);
    REQUIRE(hosts.wait(start("feed"), 60) == 0);

    const fs::path out = dir / "var" / "received.jsonl";
    size_t lines = 0;
    REQUIRE(eventually([&] { return count_lines(out) > 0; }, 30));
    CHECK(hosts.kill9(receiver) == 128 + SIGKILL);
    const size_t at_kill = count_lines(out);
    receiver = start("tcp-in");

    const bool all = eventually([&] { return received_ids(out, lines).size() == kEvents; }, 90);
    const auto ids = received_ids(out, lines);
    INFO("tcp-out log:\n" << read_file(dir / "tcp-out.log"));
    MESSAGE("events received before the kill: " << at_kill << ", lines: " << lines << ", unique: " << ids.size());
    CHECK(at_kill < static_cast<size_t>(kEvents));  // the kill hit the running exchange
    CHECK(all);
    CHECK(ids.size() == static_cast<size_t>(kEvents));
    CHECK(*ids.begin() == 0);
    CHECK(*ids.rbegin() == kEvents - 1);
}
