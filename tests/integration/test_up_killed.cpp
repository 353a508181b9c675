// SPDX-License-Identifier: AGPL-3.0-or-later
// `sluicectl up` killed with SIGKILL mid-run (the OOM killer, a careless operator) must not leave
// its hosts running unsupervised: a new `up` would find every bot "already running", or run a
// second collector next to the orphaned one. Each host gets SIGTERM from the kernel when its
// supervisor dies, finishes its batch and stops; the next `up` runs the pipeline to its end.
#include <doctest/doctest.h>
#include <signal.h>

#include "event_feed.hpp"
#include "test_support.hpp"

using namespace sluice::test;

namespace {

constexpr int kFiles = 50;
constexpr int kLinesPerFile = 2000;
constexpr int kEvents = kFiles * kLinesPerFile;

}  // namespace

TEST_CASE("after kill -9 of up its hosts stop, and the next up delivers every event") {
    TempDir dir("sluice-up-killed");
    write_event_feed(dir / "feed", kFiles, kLinesPerFile);
    const std::string config = (dir / "sluice.toml").string();
    write_event_pipeline(dir.path(), "delete_file = true", "events.jsonl");
    const auto events = dir / "events.jsonl";
    const int up = spawn({sluicectl(), "--config", config, "up"}, dir / "up.log");
    // Killed while events flow: some delivered, most not.
    REQUIRE(eventually([&] { return count_lines(events) >= 5000; }, 60));
    REQUIRE(::kill(up, SIGKILL) == 0);
    REQUIRE(wait_exit(up, 10) == 128 + SIGKILL);
    const size_t before = count_lines(events);
    CHECK(before < static_cast<size_t>(kEvents));
    CHECK_MESSAGE(eventually([&] { return host_pids(config).empty(); }, 20),
                  host_pids(config).size() << " hosts still run without their supervisor");

    const CommandResult again = run_command(sluicectl() + " --config " + config + " up --until-idle --timeout 120");
    INFO(again.output);
    CHECK(again.exit_code == 0);
    CHECK(again.output.find("already running") == std::string::npos);
    const OutputIds out = read_output_ids(events);
    MESSAGE("delivered before the kill: " << before << ", in all: " << out.lines
                                          << ", duplicates: " << out.lines - out.ids.size());
    CHECK(out.ids.size() == static_cast<size_t>(kEvents));
    // Again are only what was in flight at the kill: a batch per bot, reports not yet deleted.
    CHECK(out.lines - out.ids.size() <= 10u * kLinesPerFile);
    CHECK(std::filesystem::is_empty(dir / "feed"));
}
