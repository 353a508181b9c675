// SPDX-License-Identifier: AGPL-3.0-or-later
// Issue 14's fourth repro, on a real small file system: var/ is an 8 MiB tmpfs, 100,000 events
// (some 40 MB of queued records) go collector_file -> parser_csv -> expert_taxonomy -> output_file
// (whose file is outside var/), and a ballast file fills the disk to below the reserve at the start.
// Every host must wait ("disk full" in its state and in `sluicectl health`) instead of crash-looping,
// nothing may be dumped, and once the ballast goes every event must arrive, duplicates bounded by
// what was in flight. Needs root to mount the tmpfs; says so and passes without it.
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "event_feed.hpp"
#include "test_support.hpp"

using namespace sluice::test;
using namespace std::chrono_literals;

namespace {

constexpr int kFiles = 100;
constexpr int kLinesPerFile = 1000;
constexpr int kEvents = kFiles * kLinesPerFile;

bool some_host_waits_for_disk(const std::filesystem::path& run_dir) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(run_dir, ec)) {
        if (entry.path().string().ends_with(".stats.json") &&
            read_file(entry.path()).find("\"state\":\"disk full\"") != std::string::npos)
            return true;
    }
    return false;
}

}  // namespace

TEST_CASE("a pipeline whose var is an 8 MiB tmpfs waits on a full disk and delivers all 100000 events") {
    if (::geteuid() != 0) {
        MESSAGE("not run: mounting the small tmpfs needs root");
        return;
    }
    TempDir dir("sluice-disk-full");
    REQUIRE(mount_small_disk(dir / "var", "8m"));
    write_event_feed(dir / "feed", kFiles, kLinesPerFile);
    std::filesystem::create_directories(dir / "out");
    write_event_pipeline(dir.path(), "name = \"disk full test\"", "out/events.jsonl");
    // Leaves about 1.5 MiB: below the reserve once the queues have some records in them.
    write_ballast(dir / "var" / "ballast", 6.5 * (1 << 20));

    CommandResult up;
    std::thread runner([&] {
        up =
            run_command(sluicectl() + " --config " + (dir / "sluice.toml").string() + " up --until-idle --timeout 300");
    });
    const bool waited = eventually([&] { return some_host_waits_for_disk(dir / "var" / "run"); }, 120);
    // A host's state flips back to running whenever a batch found room, so health is asked until
    // it catches one waiting (while the ballast is there, they keep coming back to it).
    CommandResult health;
    const bool unhealthy =
        waited && eventually(
                      [&] {
                          health = run_command(sluicectl() + " --config " + (dir / "sluice.toml").string() + " health");
                          return health.exit_code != 0 && health.output.find("disk full") != std::string::npos;
                      },
                      60);
    std::filesystem::remove(dir / "var" / "ballast");
    runner.join();

    INFO(up.output);
    INFO(health.output);
    CHECK(waited);
    CHECK(unhealthy);
    CHECK(up.exit_code == 0);

    const OutputIds out = read_output_ids(dir / "out" / "events.jsonl");
    CHECK(out.ids.size() == kEvents);
    // No host crashed, so nothing was delivered twice.
    CHECK(out.lines == out.ids.size());
    CHECK(!std::filesystem::exists(dir / "var" / "dump"));
    std::string logs;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir / "var" / "log", ec))
        logs += read_file(entry.path());
    CHECK(logs.find("disk full") != std::string::npos);
    CHECK(logs.find("CRITICAL") == std::string::npos);
}
