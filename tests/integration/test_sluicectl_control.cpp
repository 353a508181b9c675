// SPDX-License-Identifier: AGPL-3.0-or-later
// intelmqctl's verbs on real background hosts: start, status, reload, stop, restart, enable,
// disable and clear, driven through the sluicectl binary as an operator types them.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "sluice/brokers/file_queue.hpp"
#include "test_support.hpp"

using sluice::test::CommandResult;
using sluice::test::TempDir;

namespace {

struct Botnet {
    TempDir dir{"sluice-control"};
    std::string config = (dir / "sluice.toml").string();

    Botnet() {
        sluice::test::write_file(dir / "sluice.toml", sluice::test::test_paths() + R"(
# the expert of this test botnet
[bots.expert]
plugin = "expert_taxonomy"   # fills classification.taxonomy
to = ["sink"]

[bots.sink]
plugin = "output_file"
parameters = { file = "var/events.jsonl" }
)");
    }
    ~Botnet() { (void)ctl("stop"); }

    CommandResult ctl(const std::string& args) const {
        return sluice::test::run_command(sluice::test::sluicectl() + " --config " + config + " " + args);
    }
    void feed(int n) const {
        auto producer = sluice::open_file_producer(dir / "var" / "queues" / "expert");
        std::vector<std::string> events;
        for (int i = 0; i < n; ++i)
            events.push_back(R"({"__type":"Event","classification.type":"scanner","source.ip":"192.0.2.)" +
                             std::to_string(i + 1) + "\"}");
        std::vector<std::string_view> views(events.begin(), events.end());
        REQUIRE(producer->append(views, {}));
    }
};

}  // namespace

TEST_CASE("start, status, reload, stop and restart act on background hosts, one per bot") {
    Botnet net;
    const auto start = net.ctl("start --json");
    INFO(start.output);
    REQUIRE(start.exit_code == 0);
    CHECK(start.output.find("\"expert\":{\"state\":\"running\"") != std::string::npos);
    CHECK(start.output.find("\"sink\":{\"state\":\"running\"") != std::string::npos);

    // The hosts really work in the background.
    net.feed(10);
    CHECK(sluice::test::eventually([&] { return sluice::test::count_lines(net.dir / "var" / "events.jsonl") == 10; },
                                   20));

    const auto status = net.ctl("status --json");
    INFO(status.output);
    CHECK(status.exit_code == 0);
    CHECK(status.output.find("\"received\":10") != std::string::npos);
    const long pid = std::stol(sluice::test::read_file(net.dir / "var" / "run" / "expert.lock"));
    CHECK(status.output.find("\"pid\":" + std::to_string(pid)) != std::string::npos);

    // A second start starts nothing: the lock, not a PID file, says the bot runs.
    const auto again = net.ctl("start expert");
    CHECK(again.exit_code == 0);
    CHECK(again.output.find("already running, pid " + std::to_string(pid)) != std::string::npos);
    // "[s]" keeps the pattern from matching the shell that runs pgrep.
    CHECK(sluice::test::run_command("pgrep -f -c '[s]luice-host --config " + net.config + " --no-stderr-log expert'")
              .output == "1\n");

    CHECK(net.ctl("status --group outputs --json").output.find("expert") == std::string::npos);
    CHECK(net.ctl("reload expert").exit_code == 0);
    CHECK(sluice::test::eventually(
        [&] {
            return sluice::test::read_file(net.dir / "var" / "log" / "expert.log").find("configuration reloaded") !=
                   std::string::npos;
        },
        10));

    const auto stop = net.ctl("stop expert --json");
    INFO(stop.output);
    CHECK(stop.exit_code == 0);
    CHECK(stop.output.find("\"expert\":{\"state\":\"stopped\"") != std::string::npos);
    const auto down = net.ctl("status");
    CHECK(down.exit_code == 1);  // a bot that should run does not
    CHECK(down.output.find("expert: stopped") != std::string::npos);
    CHECK(down.output.find("sink: running") != std::string::npos);

    const auto restart = net.ctl("restart");
    CHECK(restart.exit_code == 0);
    CHECK(net.ctl("status").exit_code == 0);
    CHECK(net.ctl("stop").exit_code == 0);
    CHECK(net.ctl("status").exit_code == 1);
}

TEST_CASE("stop never signals a process that merely holds the bot's lock with a pid written in it") {
    Botnet net;
    std::filesystem::create_directories(net.dir / "var" / "run");
    // What a stale PID file would be in IntelMQ: the lock is held, the pid is someone else's.
    const int fd = ::open((net.dir / "var" / "run" / "expert.lock").c_str(), O_RDWR | O_CREAT, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    const std::string foreign = std::to_string(::getpid()) + "\n";  // this test process
    REQUIRE(::write(fd, foreign.data(), foreign.size()) == static_cast<ssize_t>(foreign.size()));
    const auto stop = net.ctl("stop expert");
    CHECK(stop.exit_code == 1);
    CHECK(stop.output.find("not its host") != std::string::npos);
    ::close(fd);  // still alive: no signal reached us
}

TEST_CASE("enable and disable edit the file and keep its comments, and clear empties a stopped bot queue") {
    Botnet net;
    const auto disable = net.ctl("disable expert");
    INFO(disable.output);
    REQUIRE(disable.exit_code == 0);
    const std::string text = sluice::test::read_file(net.config);
    CHECK(text.find("enabled = false") != std::string::npos);
    CHECK(text.find("# the expert of this test botnet") != std::string::npos);
    CHECK(text.find("# fills classification.taxonomy") != std::string::npos);
    CHECK(net.ctl("check").exit_code == 0);
    CHECK(net.ctl("status").output.find("expert: disabled") != std::string::npos);
    CHECK(net.ctl("enable expert").exit_code == 0);
    CHECK(sluice::test::read_file(net.config).find("enabled = true") != std::string::npos);
    const auto unknown = net.ctl("enable nosuchbot");
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.output.find("unknown bot 'nosuchbot'") != std::string::npos);

    net.feed(5);
    CHECK(net.ctl("list queues --sum").output == "5\n");
    const auto clear = net.ctl("clear expert-queue --json");
    INFO(clear.output);
    CHECK(clear.exit_code == 0);
    CHECK(clear.output.find("\"cleared\":5") != std::string::npos);
    CHECK(net.ctl("list queues --sum").output == "0\n");

    // A running bot's queue is its host's: clear refuses.
    REQUIRE(net.ctl("start expert").exit_code == 0);
    const auto busy = net.ctl("clear expert");
    CHECK(busy.exit_code == 1);
    CHECK(busy.output.find("stop the bot first") != std::string::npos);
}

TEST_CASE("list bots shows every installed plugin with its description and parameters") {
    Botnet net;
    const auto text = net.ctl("list bots");
    INFO(text.output);
    CHECK(text.exit_code == 0);
    CHECK(text.output.find("parser_csv (parser") != std::string::npos);
    CHECK(text.output.find("    columns: ") != std::string::npos);
    const auto json = net.ctl("list bots --json");
    CHECK(json.exit_code == 0);
    CHECK(json.output.find(R"("name":"output_file","kind":"output")") != std::string::npos);
    CHECK(json.output.find(R"("name":"delimiter")") != std::string::npos);
}

TEST_CASE("enable and disable keep the configuration file's mode") {
    Botnet net;
    // A configuration holding a broker password is readable by its owner only.
    std::filesystem::permissions(net.config, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    REQUIRE(net.ctl("disable expert").exit_code == 0);
    CHECK(std::filesystem::status(net.config).permissions() ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    REQUIRE(net.ctl("enable expert").exit_code == 0);
    CHECK(std::filesystem::status(net.config).permissions() ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    CHECK(!std::filesystem::exists(net.config + ".sluicectl-tmp"));
}

TEST_CASE("start runs a scheduled collector to its end and tells that apart from one that refuses") {
    TempDir dir("sluice-control-scheduled");
    std::filesystem::create_directories(dir / "feed");
    sluice::test::write_file(dir / "feed" / "a.csv", "192.0.2.1\n");
    sluice::test::write_file(dir / "sluice.toml", sluice::test::test_paths() + R"(
[bots.once]
plugin = "collector_file"
run_mode = "scheduled"
parameters = { path = "feed", delete_file = true }
to = ["parser"]
[bots.broken]
plugin = "collector_file"
run_mode = "scheduled"
parameters = { path = "no-such-folder" }
to = ["parser"]
[bots.parser]
plugin = "parser_csv"
parameters = { columns = ["source.ip"], type = "scanner" }
to = []
)");
    const auto ctl = [&](const std::string& args) {
        return sluice::test::run_command(sluice::test::sluicectl() + " --config " + (dir / "sluice.toml").string() +
                                         " " + args);
    };
    // A collector with one small file is done long before anyone could see it hold its lock.
    const auto once = ctl("start once");
    INFO(once.output);
    CHECK(once.exit_code == 0);
    CHECK(once.output.find("once: stopped (ran and finished") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "feed" / "a.csv"));  // its report is durable in parser's queue

    const auto broken = ctl("start broken");
    INFO(broken.output);
    CHECK(broken.exit_code == 1);
    CHECK(broken.output.find("broken: failed (did not start: exit code 2; see ") != std::string::npos);
}

TEST_CASE("check and up --until-idle warn of a disabled bot whose input holds records") {
    Botnet net;
    REQUIRE(net.ctl("disable expert").exit_code == 0);
    net.feed(11);
    const auto check = net.ctl("check");
    INFO(check.output);
    CHECK(check.exit_code == 0);  // a warning, not a problem: disabling a bot is legitimate
    const std::string warning = "warning: bot 'expert' is disabled and 11 records wait in its input (file)";
    CHECK(check.output.find(warning) != std::string::npos);
    CHECK(net.ctl("check --json").output.find("\"warnings\":[\"bot 'expert' is disabled and 11 records") !=
          std::string::npos);

    const auto up = net.ctl("up --until-idle --timeout 30");
    INFO(up.output);
    CHECK(up.exit_code == 0);
    CHECK(up.output.find(warning) != std::string::npos);

    // Enabled and run, the warning goes with the records.
    REQUIRE(net.ctl("enable expert").exit_code == 0);
    REQUIRE(net.ctl("up --until-idle --timeout 30").exit_code == 0);
    CHECK(net.ctl("check").output.find("warning:") == std::string::npos);
}

TEST_CASE("every verb says unknown bot the same way, exits 2, and answers --json with a JSON error") {
    Botnet net;
    for (const std::string verb : {"start", "stop", "status", "restart", "reload", "enable", "disable", "log", "run"}) {
        CAPTURE(verb);
        const auto text = net.ctl(verb + " nosuch" + (verb == "run" ? " --dry-run" : ""));
        CHECK(text.exit_code == 2);
        CHECK(text.output.find("unknown bot 'nosuch'") != std::string::npos);
        const auto json = net.ctl(verb + " nosuch --json");
        CHECK(json.exit_code == 2);
        CHECK(json.output.rfind("{\"error\":\"unknown bot 'nosuch'", 0) == 0);
        CHECK(json.output.find(",\"exit\":2}\n") != std::string::npos);
    }
    const auto clear = net.ctl("clear nosuch-queue --json");
    CHECK(clear.exit_code == 2);
    CHECK(clear.output.rfind("{\"error\":\"unknown queue 'nosuch-queue'", 0) == 0);
    const auto dump = net.ctl("dump show nosuch --json");
    CHECK(dump.exit_code == 2);
    CHECK(dump.output.rfind("{\"error\":", 0) == 0);
    const auto verb = net.ctl("frobnicate --json");
    CHECK(verb.exit_code == 2);
    CHECK(verb.output.rfind("{\"error\":", 0) == 0);
}

TEST_CASE("list queues --json gives null, not 0, for a queue it could not read") {
    Botnet net;
    // The expert's input comes over AMQP from a broker nobody runs: its count is unknown.
    sluice::test::write_file(net.config,
                             sluice::test::read_file(net.config) +
                                 "\n[bots.feeder]\nplugin = \"expert_taxonomy\"\ntransport = \"amqp\"\n"
                                 "to = [\"expert\"]\n[transports.amqp]\nurl = \"amqp://guest:guest@127.0.0.1:" +
                                 std::to_string(sluice::test::free_port()) + "/\"\n");
    const auto r = net.ctl("list queues --json");
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("\"bot\":\"expert\",\"messages\":null,\"bytes\":null,\"transport\":\"amqp\",\"error\":") !=
          std::string::npos);
}
