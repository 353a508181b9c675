// SPDX-License-Identifier: AGPL-3.0-or-later
// `sluicectl log` and `sluicectl run` driven as an operator drives them, against real hosts: the
// hosts of `sluicectl up` write their own rotated log files (text or JSON lines), `log` reads the
// last entries at or above a level across rotated files, and `run` debugs one bot: its host in the
// foreground at level debug, or one message in-process from --msg or from its input, with
// --dry-run leaving every queue as it was.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include "sluice/brokers/file_queue.hpp"
#include "test_support.hpp"

using sluice::test::eventually;
using sluice::test::read_file;
using sluice::test::run_command;
using sluice::test::sluicectl;
using sluice::test::TempDir;
using sluice::test::write_file;

namespace {

// fixture (expert_fixture: forwards, or refuses extra.fixture = "reject") → out (output_file).
std::string config(const std::string& fixture_settings = "") {
    return sluice::test::test_paths() + "plugins = [\"" + (sluice::test::build_dir() / "tests" / "fixtures").string() +
           "\"]\n" + "[bots.fixture]\nplugin = \"expert_fixture\"\nto = [\"out\"]\n" + fixture_settings +
           "\n[bots.out]\nplugin = \"output_file\"\nparameters = { file = \"out.jsonl\" }\n"
           "log_format = \"json\"\n";
}

const std::string kEvent = R"({"__type":"Event","source.ip":"192.0.2.1","classification.type":"c2-server"})";
const std::string kReject =
    R"({"__type":"Event","source.ip":"192.0.2.9","classification.type":"c2-server","extra.fixture":"reject"})";

void feed(const std::filesystem::path& queue, const std::vector<std::string>& records) {
    auto producer = sluice::open_file_producer(queue);
    std::vector<std::string_view> views(records.begin(), records.end());
    REQUIRE(producer->append(views, [] { return false; }));
}

uint64_t waiting(const TempDir& dir, const std::string& bot) {
    return sluice::file_queue_stats(dir / "var" / "queues" / bot).records;
}

std::string ctl(const TempDir& dir, const std::string& args) {
    return sluicectl() + " --config " + (dir / "sluice.toml").string() + " " + args;
}

// stdout alone, for output a test parses.
sluice::test::CommandResult ctl_stdout(const TempDir& dir, const std::string& args) {
    return run_command("( " + ctl(dir, args) + " 2>/dev/null )");
}

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("log prints a real host's last entries at or above a level, across rotated files, as text or JSON") {
    TempDir dir;
    write_file(dir / "sluice.toml", config("log_max_bytes = 4096\nlog_backups = 2\n"));
    std::vector<std::string> input(40, kReject);
    input.push_back(kEvent);
    feed(dir / "var" / "queues" / "fixture", input);
    auto up = run_command(ctl(dir, "up --until-idle --timeout 60"));
    REQUIRE_MESSAGE(up.exit_code == 0, up.output);

    // The host wrote its own file and rotated it; its stderr file does not repeat the log.
    const auto log_file = dir / "var" / "log" / "fixture.log";
    REQUIRE(std::filesystem::exists(log_file));
    CHECK(std::filesystem::exists(log_file.string() + ".1"));
    CHECK(std::filesystem::file_size(log_file) <= 4096);
    CHECK(count(read_file(log_file), "rejected on request") < 40);
    CHECK(read_file(dir / "var" / "log" / "fixture.stderr").find("rejected on request") == std::string::npos);

    auto last = run_command(ctl(dir, "log fixture 3"));
    CHECK(last.exit_code == 0);
    CHECK(count(last.output, "\n") == 3);
    CHECK(last.output.find(" fixture INFO stopped") != std::string::npos);

    // Every failure, from the current file and its backup, oldest first.
    auto errors = ctl_stdout(dir, "log fixture 100 error --json");
    REQUIRE(errors.exit_code == 0);
    rapidjson::Document d;
    d.Parse(errors.output.c_str());
    REQUIRE(d.IsArray());
    CHECK(d.Size() == 40);
    std::string previous;
    for (const auto& e : d.GetArray()) {
        CHECK(std::string(e["bot"].GetString()) == "fixture");
        CHECK(std::string(e["level"].GetString()) == "ERROR");
        CHECK(std::string(e["message"].GetString()).find("rejected on request") != std::string::npos);
        const std::string time = e["time"].GetString();
        CHECK(time >= previous);
        previous = time;
    }

    // The level filter also takes a count after it; nothing below the level is shown.
    auto warnings = run_command(ctl(dir, "log fixture warning 2"));
    CHECK(warnings.exit_code == 0);
    CHECK(count(warnings.output, " fixture ERROR ") == 2);
    CHECK(warnings.output.find(" INFO ") == std::string::npos);
}

TEST_CASE("log reads JSON-line logs, and refuses an unknown bot, a bad level and a bot without a log") {
    TempDir dir;
    write_file(dir / "sluice.toml", config());
    feed(dir / "var" / "queues" / "fixture", {kEvent});
    auto missing = run_command(ctl(dir, "log out"));
    CHECK(missing.exit_code == 1);
    CHECK(missing.output.find("out.log does not exist") != std::string::npos);

    REQUIRE(run_command(ctl(dir, "up --until-idle --timeout 60")).exit_code == 0);
    // out logs JSON lines; log shows them as text, or passes them on as JSON objects.
    const std::string raw = read_file(dir / "var" / "log" / "out.log");
    CHECK(raw.find("{\"time\":") == 0);
    auto text = run_command(ctl(dir, "log out 1"));
    CHECK(text.exit_code == 0);
    CHECK(text.output.find(" out INFO stopped\n") != std::string::npos);
    auto json = ctl_stdout(dir, "log out 2 info --json");
    rapidjson::Document d;
    d.Parse(json.output.c_str());
    REQUIRE(d.IsArray());
    REQUIRE(d.Size() == 2);
    CHECK(std::string(d[1]["message"].GetString()) == "stopped");

    CHECK(run_command(ctl(dir, "log ghost")).exit_code == 2);
    auto bad_level = run_command(ctl(dir, "log out 5 loud"));
    CHECK(bad_level.exit_code == 2);
    CHECK(bad_level.output.find("unexpected 'loud'") != std::string::npos);
}

TEST_CASE("run --msg processes one message in-process, --dry-run sends nothing, otherwise it is queued") {
    TempDir dir;
    write_file(dir / "sluice.toml", config());
    write_file(dir / "event.json", kEvent + "\n");

    auto dry = run_command(ctl(dir, "run fixture --msg '" + kEvent + "' --dry-run --show-sent"));
    CHECK(dry.exit_code == 0);
    CHECK(dry.output.find("1 message(s) emitted (dry run") != std::string::npos);
    CHECK(dry.output.find("_default → out (file): 1") != std::string::npos);
    CHECK(dry.output.find(R"("extra.seen_by_fixture":true)") != std::string::npos);
    CHECK(waiting(dir, "out") == 0);

    // From a file, sent for real: the message is in out's queue.
    auto sent = ctl_stdout(dir, "run fixture --msg @" + (dir / "event.json").string() + " --json");
    CHECK(sent.exit_code == 0);
    rapidjson::Document d;
    d.Parse(sent.output.c_str());
    REQUIRE(d.IsObject());
    CHECK(d["ok"].GetBool());
    REQUIRE(d["sent"]["_default"].Size() == 1);
    CHECK(std::string(d["sent"]["_default"][0]["source.ip"].GetString()) == "192.0.2.1");
    CHECK(waiting(dir, "out") == 1);

    // The bot refusing the message: exit 1 with its reason, nothing sent.
    auto failed = run_command(ctl(dir, "run fixture --msg '" + kReject + "'"));
    CHECK(failed.exit_code == 1);
    CHECK(failed.output.find("fixture: rejected on request") != std::string::npos);
    CHECK(waiting(dir, "out") == 1);

    // A message the harmonization refuses, and usage errors: exit 2.
    auto bad = run_command(ctl(dir, R"(run fixture --msg '{"__type":"Event","source.ip":"not an ip"}')"));
    CHECK(bad.exit_code == 2);
    CHECK(bad.output.find("cannot decode the message") != std::string::npos);
    CHECK(run_command(ctl(dir, "run ghost --msg '" + kEvent + "'")).exit_code == 2);
    CHECK(run_command(ctl(dir, "run fixture --bogus")).exit_code == 2);
}

TEST_CASE("run without --msg takes one message from the input: --dry-run leaves it, otherwise it is acknowledged") {
    TempDir dir;
    write_file(dir / "sluice.toml", config());
    feed(dir / "var" / "queues" / "fixture", {kEvent, kReject});

    auto dry = run_command(ctl(dir, "run fixture --dry-run --show-sent"));
    CHECK(dry.exit_code == 0);
    CHECK(dry.output.find("192.0.2.1") != std::string::npos);
    CHECK(waiting(dir, "fixture") == 2);
    CHECK(waiting(dir, "out") == 0);

    auto real = run_command(ctl(dir, "run fixture --show-sent"));
    CHECK(real.exit_code == 0);
    CHECK(waiting(dir, "fixture") == 1);
    CHECK(waiting(dir, "out") == 1);

    // The next one is refused by the bot: it stays in the input.
    auto refused = run_command(ctl(dir, "run fixture --show-sent"));
    CHECK(refused.exit_code == 1);
    CHECK(refused.output.find("the message stays in the input") != std::string::npos);
    CHECK(waiting(dir, "fixture") == 1);
    CHECK(waiting(dir, "out") == 1);
}

TEST_CASE("run without options is the bot's host in the foreground at level debug, one instance only") {
    TempDir dir;
    // The configured level would hide the host's INFO lines; run shows them on the terminal.
    write_file(dir / "sluice.toml", config("log_level = \"error\"\n"));
    feed(dir / "var" / "queues" / "fixture", {kEvent});
    const int pid = sluice::test::spawn({sluicectl(), "--config", (dir / "sluice.toml").string(), "run", "fixture"},
                                        dir / "terminal.log");
    CHECK(eventually([&] { return read_file(dir / "terminal.log").find(" fixture INFO started") != std::string::npos; },
                     15));
    CHECK(eventually([&] { return waiting(dir, "out") == 1; }, 15));

    // While it runs, a second instance and a message from its input are refused.
    auto second = run_command(ctl(dir, "run fixture"));
    CHECK(second.exit_code == 2);
    CHECK(second.output.find("already running") != std::string::npos);
    auto take = run_command(ctl(dir, "run fixture --dry-run"));
    CHECK(take.exit_code == 2);
    CHECK(take.output.find("is running") != std::string::npos);

    ::kill(pid, SIGTERM);
    CHECK(sluice::test::wait_exit(pid, 15) == 0);
    CHECK(read_file(dir / "terminal.log").find(" fixture INFO stopped") != std::string::npos);
}
