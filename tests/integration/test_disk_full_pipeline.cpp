// SPDX-License-Identifier: AGPL-3.0-or-later
// Issue 14's fourth repro, on a real small file system: var/ is an 8 MiB tmpfs, 100,000 events
// (some 40 MB of queued records) go collector_file -> parser_csv -> expert_taxonomy -> output_file
// (whose file is outside var/), and a ballast file fills the disk to below the reserve at the start.
// Every host must wait ("disk full" in its state and in `sluicectl health`) instead of crash-looping,
// nothing may be dumped, and once the ballast goes every event must arrive, duplicates bounded by
// what was in flight. Needs root to mount the tmpfs; says so and passes without it.
#include <doctest/doctest.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "test_support.hpp"

using namespace sluice::test;
using namespace std::chrono_literals;

namespace {

constexpr int kFiles = 100;
constexpr int kLinesPerFile = 1000;
constexpr int kEvents = kFiles * kLinesPerFile;

// The tmpfs under var/, in a mount namespace of this test's own: even a test killed on its time-out
// leaves no mount behind once its processes are gone. Unmounted (lazily) at the end.
class SmallDisk {
 public:
    SmallDisk(const std::filesystem::path& at, const char* size) : at_(at) {
        std::filesystem::create_directories(at_);
        mounted_ = ::unshare(CLONE_NEWNS) == 0 && ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
                   ::mount("tmpfs", at_.c_str(), "tmpfs", 0, (std::string("size=") + size).c_str()) == 0;
    }
    ~SmallDisk() {
        if (mounted_) ::umount2(at_.c_str(), MNT_DETACH);
    }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;
    bool mounted() const { return mounted_; }

 private:
    std::filesystem::path at_;
    bool mounted_ = false;
};

void write_feed(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    for (int f = 0; f < kFiles; ++f) {
        std::ofstream out(dir / ("part" + std::to_string(f) + ".csv"));
        for (int i = 0; i < kLinesPerFile; ++i) {
            const int id = f * kLinesPerFile + i;
            out << id << ",2026-12-08 10:00:00,10." << (id >> 16) % 256 << "." << (id >> 8) % 256 << "." << id % 256
                << ",host" << id << ".example.com\n";
        }
    }
}

void write_ballast(const std::filesystem::path& file, size_t bytes) {
    std::ofstream out(file, std::ios::binary);
    const std::string block(64 << 10, 'b');
    for (size_t done = 0; done < bytes; done += block.size()) out.write(block.data(), block.size());
}

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
    SmallDisk disk(dir / "var", "8m");
    REQUIRE(disk.mounted());
    write_feed(dir / "feed");
    std::filesystem::create_directories(dir / "out");
    write_file(dir / "sluice.toml", "[paths]\nvar = \"var\"\nharmonization = \"" +
                                        (source_dir() / "conf" / "harmonization.toml").string() + "\"\n" + R"(
[bots.collector]
plugin = "collector_file"
run_mode = "scheduled"
parameters = { path = "feed", pattern = "*.csv", name = "disk full test" }
to = ["parser"]
[bots.parser]
plugin = "parser_csv"
batch_size = 1   # one report (1,000 lines) per batch
parameters = { columns = ["extra.id", "time.source", "source.ip", "source.fqdn"], type = "scanner" }
to = ["expert"]
[bots.expert]
plugin = "expert_taxonomy"
to = ["sink"]
[bots.sink]
plugin = "output_file"
parameters = { file = "out/events.jsonl" }
)");
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

    std::ifstream events(dir / "out" / "events.jsonl");
    std::set<int> ids;
    size_t lines = 0;
    for (std::string line; std::getline(events, line); ++lines) {
        const auto at = line.find("\"extra.id\":\"");
        if (at != std::string::npos) ids.insert(std::stoi(line.substr(at + 12)));
    }
    CHECK(ids.size() == kEvents);
    // No host crashed, so nothing was delivered twice.
    CHECK(lines == ids.size());
    CHECK(!std::filesystem::exists(dir / "var" / "dump"));
    std::string logs;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir / "var" / "log", ec))
        logs += read_file(entry.path());
    CHECK(logs.find("disk full") != std::string::npos);
    CHECK(logs.find("CRITICAL") == std::string::npos);
}
