// SPDX-License-Identifier: AGPL-3.0-or-later
// The operator's view from outside: /metrics and /health while `sluicectl up` runs the demo (real
// hosts, fetched over a real socket), `sluicectl metrics` and `sluicectl health` on their own, and
// the systemd units `sluicectl systemd` prints.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "demo_copy.hpp"
#include "sluice/brokers/file_queue.hpp"
#include "test_support.hpp"

using sluice::test::eventually;
using sluice::test::read_file;
using sluice::test::run_command;
using sluice::test::TempDir;

namespace {

struct Http {
    int status = 0;
    std::string body;
};

// GET over a plain socket, as Prometheus or a container health check would ask.
Http http_get(int port, const std::string& path) {
    Http out;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return out;
    }
    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    (void)!::write(fd, req.data(), req.size());
    std::string all;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
    ::close(fd);
    std::smatch m;
    if (std::regex_search(all, m, std::regex("^HTTP/1\\.1 (\\d+)"))) out.status = std::stoi(m[1]);
    if (const size_t body = all.find("\r\n\r\n"); body != std::string::npos) out.body = all.substr(body + 4);
    return out;
}

// The value of one sample of the text format, or -1 when absent.
long long sample(const std::string& metrics, const std::string& series) {
    const size_t at = metrics.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stoll(metrics.substr(at + series.size() + 2));
}

// The port a server announced in its log ("http://127.0.0.1:PORT/metrics"), once it did.
int announced_port(const std::filesystem::path& log) {
    int port = 0;
    eventually(
        [&] {
            std::smatch m;
            const std::string text = std::filesystem::exists(log) ? read_file(log) : "";
            if (!std::regex_search(text, m, std::regex("http://127\\.0\\.0\\.1:(\\d+)/metrics"))) return false;
            port = std::stoi(m[1]);
            return true;
        },
        20);
    return port;
}

long pid_in_stats(const std::filesystem::path& stats) {
    std::smatch m;
    const std::string text = std::filesystem::exists(stats) ? read_file(stats) : "";
    return std::regex_search(text, m, std::regex("\"pid\":(\\d+)")) ? std::stol(m[1]) : -1;
}

using Demo = sluice::test::DemoCopy;

const char* const kContinuousBots[] = {"urlhaus-parser", "blocklist-parser", "taxonomy",
                                       "events-file",    "events-sqlite",    "ip-blocklist"};

}  // namespace

// `sluicectl up` on the demo with /metrics on a port the kernel picks; its pid and that port.
struct UpWithMetrics {
    int pid = -1;
    int port = 0;
};
// The inode of the loopback TCP socket listening on `port`, from /proc/net/tcp ("" if none).
std::string listening_socket_inode(int port) {
    std::istringstream table(read_file("/proc/net/tcp"));
    char wanted[16];
    std::snprintf(wanted, sizeof wanted, ":%04X", port);
    for (std::string line; std::getline(table, line);) {
        std::istringstream row(line);
        std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
        row >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
        if (state == "0A" && local.size() > 5 && local.substr(local.size() - 5) == wanted) return inode;
    }
    return {};
}

// The inodes of the sockets a process has open.
std::set<std::string> open_sockets(long pid) {
    std::set<std::string> inodes;
    std::error_code ec;
    for (const auto& fd : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        const std::string target = std::filesystem::read_symlink(fd.path(), ec).string();
        if (target.rfind("socket:[", 0) == 0) inodes.insert(target.substr(8, target.size() - 9));
    }
    return inodes;
}

UpWithMetrics start_up_with_metrics(const Demo& demo) {
    sluice::test::write_file(demo.config, read_file(demo.config) + "\n[metrics]\nlisten = \"127.0.0.1:0\"\n");
    const auto log = demo.dir / "up.log";
    UpWithMetrics up;
    up.pid = sluice::test::spawn({sluice::test::sluicectl(), "--config", demo.config.string(), "up"}, log);
    up.port = announced_port(log);
    INFO(read_file(log));
    REQUIRE(up.port > 0);
    return up;
}

TEST_CASE("up serves per-bot counters on /metrics and /health follows the hosts") {
    Demo demo;
    // Port 0: the kernel picks a free one and `up` says which.
    const auto [up, port] = start_up_with_metrics(demo);

    // Every bot has worked: the parsers sent, every continuous bot received (17 events per output).
    // Each host publishes its counters at most every 250 ms, so the wait covers every one checked
    // below, not only the outputs that come last in the flow.
    auto bot_series = [](const char* name, const char* bot) { return std::string(name) + "{bot=\"" + bot + "\"}"; };
    auto all_counted = [&](const std::string& m) {
        for (const char* bot : kContinuousBots)
            if (sample(m, bot_series("sluice_messages_received_total", bot)) <= 0 ||
                sample(m, bot_series("sluice_bot_up", bot)) != 1)
                return false;
        return sample(m, R"(sluice_messages_received_total{bot="events-file"})") == 17 &&
               sample(m, R"(sluice_messages_received_total{bot="events-sqlite"})") == 17 &&
               sample(m, R"(sluice_messages_received_total{bot="ip-blocklist"})") == 17 &&
               sample(m, R"(sluice_messages_sent_total{bot="taxonomy",path="_default"})") == 17 &&
               sample(m, R"(sluice_messages_sent_total{bot="urlhaus-parser",path="_default"})") == 11 &&
               sample(m, R"(sluice_messages_sent_total{bot="blocklist-parser",path="_default"})") == 6;
    };
    std::string metrics;
    const bool counted = eventually(
        [&] {
            metrics = http_get(port, "/metrics").body;
            return all_counted(metrics);
        },
        60);
    INFO(metrics);
    CHECK(counted);
    CHECK(metrics.find("# TYPE sluice_messages_received_total counter\n") != std::string::npos);
    CHECK(sample(metrics, R"(sluice_messages_sent_total{bot="urlhaus-parser",path="_default"})") == 11);
    CHECK(sample(metrics, R"(sluice_messages_sent_total{bot="blocklist-parser",path="_default"})") == 6);
    for (const char* bot : kContinuousBots) {
        CHECK(sample(metrics, bot_series("sluice_messages_received_total", bot)) > 0);
        CHECK(sample(metrics, bot_series("sluice_bot_up", bot)) == 1);
        CHECK(sample(metrics, bot_series("sluice_last_message_timestamp_seconds", bot)) > 1700000000);
    }
    CHECK(sample(metrics, R"(sluice_messages_sent_total{bot="taxonomy",path="_default"})") == 17);
    CHECK(sample(metrics, R"(sluice_messages_dumped_total{bot="urlhaus-parser"})") == 1);
    CHECK(sample(metrics, R"(sluice_messages_failed_total{bot="urlhaus-parser"})") == 1);
    CHECK(sample(metrics, R"(sluice_messages_retried_total{bot="taxonomy"})") == 0);
    CHECK(sample(metrics, R"(sluice_bot_restarts_total{bot="taxonomy"})") == 0);
    // Nothing damaged in the demo's queues: the series is there, at zero.
    CHECK(sample(metrics, R"(sluice_queue_damaged_bytes_total{bot="taxonomy",transport="file"})") == 0);
    // The taxonomy acknowledges its input once its output is synced, which may come just after the
    // outputs read it.
    CHECK(eventually(
        [&] {
            return sample(http_get(port, "/metrics").body, R"(sluice_queue_bytes{bot="taxonomy",transport="file"})") ==
                   0;
        },
        10));

    // Healthy: every continuous bot's host holds its lock (the scheduled collectors have exited).
    CHECK(eventually([&] { return http_get(port, "/health").status == 200; }, 10));
    auto h = http_get(port, "/health");
    CHECK(h.body.find(R"("ok":true)") != std::string::npos);
    CHECK(demo.ctl("health").exit_code == 0);

    // A host killed: 503 naming it until the supervisor has it running again.
    const long pid = pid_in_stats(demo.dir / "var" / "run" / "taxonomy.stats.json");
    REQUIRE(pid > 0);
    REQUIRE(::kill(static_cast<pid_t>(pid), SIGKILL) == 0);
    Http down;
    CHECK(eventually(
        [&] {
            down = http_get(port, "/health");
            return down.status == 503;
        },
        5));
    CHECK(down.body.find(R"("down":["taxonomy"])") != std::string::npos);
    CHECK(eventually([&] { return http_get(port, "/health").status == 200; }, 20));
    // Its new host counts from zero again; the restart counter says so.
    CHECK(sample(http_get(port, "/metrics").body, R"(sluice_bot_restarts_total{bot="taxonomy"})") == 1);
    CHECK(sample(http_get(port, "/metrics").body, R"(sluice_bot_restarts_total{bot="events-file"})") == 0);

    ::kill(up, SIGTERM);
    CHECK(sluice::test::wait_exit(up, 30) == 0);
    CHECK(http_get(port, "/metrics").status == 0);  // the server went with `up`

    // Nothing runs now: the health check fails and names the bots.
    auto r = demo.ctl("health --json");
    CHECK(r.exit_code == 1);
    CHECK(r.output.find(R"("ok":false,"up":[],"down":[)") != std::string::npos);
    CHECK(r.output.find(R"("events-file")") != std::string::npos);
}

TEST_CASE("sluicectl metrics serves the last counters and 503 while the botnet is down") {
    Demo demo;
    REQUIRE(demo.ctl("up --until-idle --timeout 60").exit_code == 0);
    const auto log = demo.dir / "metrics.log";
    const int server = sluice::test::spawn(
        {sluice::test::sluicectl(), "--config", demo.config.string(), "metrics", "--listen", "127.0.0.1:0"}, log);
    const int port = announced_port(log);
    REQUIRE_MESSAGE(port > 0, read_file(log));

    const auto m = http_get(port, "/metrics");
    CHECK(m.status == 200);
    CHECK(sample(m.body, R"(sluice_messages_received_total{bot="taxonomy"})") == 17);
    CHECK(sample(m.body, R"(sluice_bot_up{bot="taxonomy"})") == 0);
    const auto h = http_get(port, "/health");
    CHECK(h.status == 503);
    CHECK(h.body.find(R"("down":["blocklist-parser","events-file",)") != std::string::npos);
    CHECK(http_get(port, "/nothing").status == 404);

    // A second server on the same port is refused with a clear line.
    const std::string taken = "127.0.0.1:" + std::to_string(port);
    auto r = demo.ctl("metrics --listen " + taken);
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("cannot listen on " + taken) != std::string::npos);

    ::kill(server, SIGTERM);
    CHECK(sluice::test::wait_exit(server, 10) == 0);
}

TEST_CASE("a scrape takes a file queue's backlog from its sizes and reads none of its records") {
    Demo demo;
    // 100,000 records (some 30 MB) wait in taxonomy's input; nothing runs.
    {
        auto producer = sluice::open_file_producer(demo.dir / "var" / "queues" / "taxonomy");
        const std::string event =
            R"({"__type":"Event","classification.type":"scanner","source.ip":"192.0.2.1","extra.pad":")" +
            std::string(250, 'x') + "\"}";
        std::vector<std::string_view> batch(1000, event);
        for (int i = 0; i < 100; ++i) REQUIRE(producer->append(batch, {}));
    }
    const auto log = demo.dir / "metrics.log";
    const int server = sluice::test::spawn(
        {sluice::test::sluicectl(), "--config", demo.config.string(), "metrics", "--listen", "127.0.0.1:0"}, log);
    const int port = announced_port(log);
    REQUIRE_MESSAGE(port > 0, read_file(log));
    // What the server process has read, by the kernel's count (read(2) and friends, sockets too).
    const auto bytes_read = [server] {
        std::istringstream io(read_file("/proc/" + std::to_string(server) + "/io"));
        for (std::string key; io >> key;) {
            long long n = 0;
            io >> n;
            if (key == "rchar:") return n;
        }
        return -1LL;
    };
    const long long before = bytes_read();
    const auto m = http_get(port, "/metrics");
    const long long after = bytes_read();
    CHECK(m.status == 200);
    const long long backlog = sample(m.body, R"(sluice_queue_bytes{bot="taxonomy",transport="file"})");
    CHECK(backlog > 25'000'000);
    CHECK(m.body.find(R"(sluice_queue_messages{bot="taxonomy",transport="file"})") == std::string::npos);
    CHECK(before >= 0);
    CHECK_MESSAGE(after - before < 1'000'000, "a scrape read " << after - before << " bytes");
    ::kill(server, SIGTERM);
    CHECK(sluice::test::wait_exit(server, 10) == 0);
}

TEST_CASE("out of descriptors, the metrics server pauses its accepts instead of spinning, then serves again") {
    Demo demo;
    const auto log = demo.dir / "metrics.log";
    // 40 descriptors: the silent connections below use up the rest, and accept() gets EMFILE.
    const int server = sluice::test::spawn({"/usr/bin/prlimit", "--nofile=40", sluice::test::sluicectl(), "--config",
                                            demo.config.string(), "metrics", "--listen", "127.0.0.1:0"},
                                           log);
    const int port = announced_port(log);
    REQUIRE_MESSAGE(port > 0, read_file(log));
    std::vector<int> silent;
    for (int i = 0; i < 60; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        silent.push_back(fd);
    }
    // CPU time the server spends meanwhile (utime + stime of /proc/<pid>/stat, in clock ticks).
    const auto cpu_ticks = [server] {
        const std::string stat = read_file("/proc/" + std::to_string(server) + "/stat");
        std::istringstream fields(stat.substr(stat.rfind(')') + 2));
        std::string field;
        long long utime = 0, stime = 0;
        for (int i = 3; i <= 15 && fields >> field; ++i) {
            if (i == 14) utime = std::stoll(field);
            if (i == 15) stime = std::stoll(field);
        }
        return utime + stime;
    };
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // it has hit the limit by now
    const long long before = cpu_ticks();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    const long long spent = cpu_ticks() - before;
    // Spinning on EMFILE would burn the whole 1.5 s (150 ticks at 100 Hz).
    CHECK_MESSAGE(spent < ::sysconf(_SC_CLK_TCK) / 2, "the server used " << spent << " ticks while out of descriptors");
    for (const int fd : silent) ::close(fd);
    CHECK(eventually([&] { return http_get(port, "/metrics").status == 200; }, 15));
    ::kill(server, SIGTERM);
    CHECK(sluice::test::wait_exit(server, 10) == 0);
}

TEST_CASE("systemd prints one unit per bot instance and enables the enabled bots") {
    Demo demo;
    auto r = demo.ctl("systemd");
    CHECK(r.exit_code == 0);
    const std::string conf = demo.config.string();
    const std::string host = (sluice::test::build_dir() / "bin" / "sluice-host").string();
    CHECK(r.output.find("ExecStart=" + host + " --config " + conf + " %i\n") != std::string::npos);
    CHECK(r.output.find("WorkingDirectory=" + (demo.dir / "conf").string() + "\n") != std::string::npos);
    CHECK(r.output.find("Restart=always\n") != std::string::npos);
    CHECK(r.output.find("ReadWritePaths=" + (demo.dir / "var").lexically_normal().string()) != std::string::npos);
    CHECK(r.output.find("ProtectSystem=strict\n") != std::string::npos);
    // An unprivileged user, and queues, dumps and logs private to its group.
    CHECK(r.output.find("\nUser=sluice\nGroup=sluice\n") != std::string::npos);
    CHECK(r.output.find("\nUMask=0027\n") != std::string::npos);
    CHECK(r.output.find(" metrics --listen 127.0.0.1:9120\n") != std::string::npos);
    CHECK(r.output.find("systemctl enable --now sluice@taxonomy\n") != std::string::npos);
    CHECK(r.output.find("systemctl enable --now sluice@urlhaus-collector") == std::string::npos);  // scheduled

    r = demo.ctl("systemd --user --prefix /opt/sluice");
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("ExecStart=/opt/sluice/bin/sluice-host --config ") != std::string::npos);
    CHECK(r.output.find("systemctl --user enable --now sluice@events-file\n") != std::string::npos);
    CHECK(r.output.find("WantedBy=default.target") != std::string::npos);
    CHECK(r.output.find("ProtectSystem") == std::string::npos);
}

TEST_CASE("hosts do not inherit up's metrics socket, and they stop when up is killed") {
    Demo demo;
    const auto [up, port] = start_up_with_metrics(demo);
    REQUIRE(eventually([&] { return demo.ctl("status taxonomy").output.find("taxonomy: running") == 0; }, 30));
    const std::vector<long> hosts = sluice::test::host_pids(demo.config.string());
    REQUIRE(hosts.size() >= std::size(kContinuousBots));
    // The listening socket, by its inode, is open in `up` and in none of its hosts.
    const std::string inode = listening_socket_inode(port);
    REQUIRE_FALSE(inode.empty());
    CHECK(open_sockets(up).count(inode) == 1);
    for (const long host : hosts) CHECK_MESSAGE(open_sockets(host).count(inode) == 0, "host pid " << host);

    ::kill(up, SIGKILL);
    REQUIRE(sluice::test::wait_exit(up, 10) == 128 + SIGKILL);
    // The kernel tells each host its supervisor died (PR_SET_PDEATHSIG): no host runs on unsupervised.
    CHECK(eventually([&] { return sluice::test::host_pids(demo.config.string()).empty(); }, 20));
    const auto status = demo.ctl("status");
    INFO(status.output);
    CHECK(status.output.find(": running") == std::string::npos);
}
