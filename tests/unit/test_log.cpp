// SPDX-License-Identifier: AGPL-3.0-or-later
// The host's own log file: text or JSON lines, levels, rotation by size into log_backups renamed
// files (an interrupted rotation loses no line), one file shared by the Loggers of one process,
// and lines read back by parse_log_line (sluicectl log).
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <cstdio>
#include <sstream>

#include "sluice/core/config.hpp"
#include "sluice/core/log.hpp"
#include "test_support.hpp"

using sluice::BotSettings;
using sluice::Logger;
using sluice::LogLevel;
using sluice::test::read_file;
using sluice::test::TempDir;
using sluice::test::write_file;

namespace {

std::vector<std::string> lines_of(const std::filesystem::path& file) {
    std::vector<std::string> lines;
    std::istringstream in(read_file(file));
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
}

// The number at the end of "line <n>" messages.
int number_of(const std::string& line) { return std::stoi(line.substr(line.rfind(' ') + 1)); }

BotSettings small(int64_t max_bytes, int64_t backups, const std::string& format = "text") {
    BotSettings s;
    s.log_max_bytes = max_bytes;
    s.log_backups = backups;
    s.log_format = format;
    return s;
}

// A Logger whose stderr copy goes nowhere: the tests look at the file.
struct QuietLogger {
    std::FILE* sink = std::fopen("/dev/null", "w");
    Logger log;
    explicit QuietLogger(const std::string& name) : log(name, LogLevel::info, sink) {}
    ~QuietLogger() { std::fclose(sink); }
};

}  // namespace

TEST_CASE("JSON lines hold time, bot, level, message and the optional fields") {
    TempDir dir;
    QuietLogger q("taxonomy");
    q.log.configure(small(1 << 20, 3, "json"), dir / "log" / "taxonomy.log");  // the folder is made
    q.log.log(LogLevel::warning, "retrying \"x\"\nnext line", {{"attempt", "2"}, {"level", "clash"}});
    q.log.debug("below the level: not written");

    const auto lines = lines_of(dir / "log" / "taxonomy.log");
    REQUIRE(lines.size() == 1);
    rapidjson::Document d;
    d.Parse(lines[0].c_str());
    REQUIRE(d.IsObject());
    CHECK(std::string(d["bot"].GetString()) == "taxonomy");
    CHECK(std::string(d["level"].GetString()) == "WARNING");
    CHECK(std::string(d["message"].GetString()) == "retrying \"x\"\nnext line");
    CHECK(std::string(d["attempt"].GetString()) == "2");
    CHECK(std::string(d["_level"].GetString()) == "clash");  // a taken name is not overwritten
    const std::string time = d["time"].GetString();
    CHECK(time.size() == 24);
    CHECK(time[10] == 'T');
    CHECK(time.back() == 'Z');

    // Read back as sluicectl log reads it.
    auto e = sluice::parse_log_line(lines[0]);
    REQUIRE(e.has_value());
    CHECK(e->bot == "taxonomy");
    CHECK(e->level == LogLevel::warning);
    CHECK(e->message == "retrying \"x\"\nnext line");
    CHECK(e->time == time.substr(0, 23));
    REQUIRE(e->fields.size() == 2);
    CHECK(e->fields[0] == std::pair<std::string, std::string>("attempt", "2"));
}

TEST_CASE("text lines keep the stderr format and parse back, continuation lines do not") {
    TempDir dir;
    QuietLogger q("parser");
    q.log.configure(small(1 << 20, 3), dir / "parser.log");
    q.log.error("bad line\n  at column 3");
    q.log.log(LogLevel::info, "done", {{"count", "5"}, {"file", "a b.csv"}});
    const auto lines = lines_of(dir / "parser.log");
    REQUIRE(lines.size() == 3);
    auto first = sluice::parse_log_line(lines[0]);
    REQUIRE(first.has_value());
    CHECK(first->bot == "parser");
    CHECK(first->level == LogLevel::error);
    CHECK(first->message == "bad line");
    CHECK_FALSE(sluice::parse_log_line(lines[1]).has_value());  // "  at column 3" continues it
    CHECK(lines[2].substr(23) == " parser INFO done count=5 file=\"a b.csv\"");
    CHECK_FALSE(sluice::parse_log_line("2026-01-02T03:04:05.678 parser LOUD hello").has_value());
    CHECK_FALSE(sluice::parse_log_line("{\"time\":\"x\"}").has_value());
}

TEST_CASE("rotation by size keeps log_backups renamed files, oldest lines in the highest number") {
    TempDir dir;
    const auto file = dir / "bot.log";
    QuietLogger q("bot");
    q.log.configure(small(400, 2), file);
    for (int i = 1; i <= 60; ++i) q.log.info("line " + std::to_string(i));

    CHECK(std::filesystem::exists(file.string() + ".1"));
    CHECK(std::filesystem::exists(file.string() + ".2"));
    CHECK_FALSE(std::filesystem::exists(file.string() + ".3"));
    std::vector<int> kept;
    for (const auto& f : {file.string() + ".2", file.string() + ".1", file.string()}) {
        CHECK(std::filesystem::file_size(f) <= 400);
        for (const auto& line : lines_of(f)) kept.push_back(number_of(line));
    }
    // The newest lines, in order, without a gap, ending with the last one written.
    REQUIRE(!kept.empty());
    CHECK(kept.back() == 60);
    for (size_t i = 1; i < kept.size(); ++i) CHECK(kept[i] == kept[i - 1] + 1);
    CHECK(kept.size() > 12);  // three files' worth, not one
}

TEST_CASE("a rotation interrupted by a kill loses no line and the next one completes it") {
    TempDir dir;
    const auto file = dir / "bot.log";
    // The state a kill leaves between renaming .1 to .2 and the file to .1: no .1 yet.
    write_file(file.string() + ".2", "2026-01-01T00:00:00.000 bot INFO line 1\n");
    std::string full;
    for (int i = 2; i <= 9; ++i) full += "2026-01-01T00:00:00.000 bot INFO line " + std::to_string(i) + "\n";
    write_file(file, full);

    QuietLogger q("bot");
    q.log.configure(small(400, 3), file);  // the file is nearly full: the first lines rotate it
    for (int i = 10; i <= 15; ++i) q.log.info("line " + std::to_string(i));

    std::vector<int> kept;
    for (const auto& f : {file.string() + ".3", file.string() + ".2", file.string() + ".1", file.string()}) {
        if (!std::filesystem::exists(f)) continue;
        for (const auto& line : lines_of(f)) kept.push_back(number_of(line));
    }
    std::vector<int> all;
    for (int i = 1; i <= 15; ++i) all.push_back(i);
    CHECK(kept == all);
}

TEST_CASE("log_backups = 0 starts the file over instead of keeping backups") {
    TempDir dir;
    const auto file = dir / "bot.log";
    QuietLogger q("bot");
    q.log.configure(small(300, 0), file);
    for (int i = 1; i <= 50; ++i) q.log.info("line " + std::to_string(i));
    CHECK(std::filesystem::file_size(file) <= 300);
    CHECK_FALSE(std::filesystem::exists(file.string() + ".1"));
    CHECK(number_of(lines_of(file).back()) == 50);
}

TEST_CASE("two Loggers of one process on one file share its size and rotate it once") {
    TempDir dir;
    const auto file = dir / "bot.log";
    QuietLogger host("bot"), transport("bot");
    host.log.configure(small(500, 10), file);
    transport.log.configure(small(500, 10), file);
    for (int i = 1; i <= 40; ++i) (i % 2 ? host : transport).log.info("line " + std::to_string(i));
    std::vector<int> kept;
    for (int n = 10; n >= 0; --n) {
        const auto f = n ? file.string() + "." + std::to_string(n) : file.string();
        if (!std::filesystem::exists(f)) continue;
        CHECK(std::filesystem::file_size(f) <= 500);
        for (const auto& line : lines_of(f)) kept.push_back(number_of(line));
    }
    REQUIRE(kept.size() == 40);
    for (int i = 0; i < 40; ++i) CHECK(kept[static_cast<size_t>(i)] == i + 1);
}

TEST_CASE("a configured Logger copies its lines to stderr unless that is turned off") {
    TempDir dir;
    std::FILE* err = std::fopen((dir / "stderr").c_str(), "w");
    REQUIRE(err);
    Logger log("bot", LogLevel::info, err);
    log.info("before configure");
    log.configure(small(1 << 20, 1), dir / "bot.log");
    log.info("copied");
    Logger::set_stderr_copy(false);
    log.info("file only");
    Logger::set_stderr_copy(true);
    std::fclose(err);
    const std::string copy = read_file(dir / "stderr");
    CHECK(copy.find("before configure") != std::string::npos);
    CHECK(copy.find("copied") != std::string::npos);
    CHECK(copy.find("file only") == std::string::npos);
    const std::string own = read_file(dir / "bot.log");
    CHECK(own.find("before configure") == std::string::npos);
    CHECK(own.find("file only") != std::string::npos);
}

TEST_CASE("a log file that cannot be opened is refused with its name") {
    TempDir dir;
    write_file(dir / "not-a-dir", "x");
    Logger log("bot");
    CHECK_THROWS_WITH_AS(log.configure(small(1 << 20, 1), dir / "not-a-dir" / "bot.log"),
                         doctest::Contains("not-a-dir/bot.log"), std::runtime_error);
}
