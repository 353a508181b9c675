// SPDX-License-Identifier: AGPL-3.0-or-later
#include "event_feed.hpp"

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <fstream>

#include "test_support.hpp"

namespace sluice::test {

void write_event_feed(const std::filesystem::path& dir, int files, int lines_per_file) {
    std::filesystem::create_directories(dir);
    for (int f = 0; f < files; ++f) {
        std::ofstream out(dir / ("part" + std::to_string(f) + ".csv"));
        for (int i = 0; i < lines_per_file; ++i) {
            const int id = f * lines_per_file + i;
            out << id << ",2026-12-08 10:00:00,10." << (id >> 16) % 256 << "." << (id >> 8) % 256 << "." << id % 256
                << ",host" << id << ".example.com\n";
        }
    }
}

void write_event_pipeline(const std::filesystem::path& dir, const std::string& collector_parameters,
                          const std::string& output) {
    write_file(dir / "sluice.toml", sluice::test::test_paths() + R"(
[bots.collector]
plugin = "collector_file"
run_mode = "scheduled"
parameters = { path = "feed", pattern = "*.csv", )" +
                                        collector_parameters +
                                        R"( }
to = ["parser"]
[bots.parser]
plugin = "parser_csv"
batch_size = 1   # one report per batch
parameters = { columns = ["extra.id", "time.source", "source.ip", "source.fqdn"], type = "scanner" }
to = ["expert"]
[bots.expert]
plugin = "expert_taxonomy"
to = ["sink"]
[bots.sink]
plugin = "output_file"
parameters = { file = ")" + output + R"(" }
)");
}

bool mount_small_disk(const std::filesystem::path& at, const char* size) {
    std::filesystem::create_directories(at);
    return ::geteuid() == 0 && ::unshare(CLONE_NEWNS) == 0 &&
           ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
           ::mount("tmpfs", at.c_str(), "tmpfs", 0, (std::string("size=") + size).c_str()) == 0;
}

void write_ballast(const std::filesystem::path& file, uint64_t bytes) {
    std::ofstream out(file, std::ios::binary);
    const std::string block(64 << 10, 'b');
    for (uint64_t done = 0; done + block.size() <= bytes; done += block.size()) out.write(block.data(), block.size());
}

OutputIds read_output_ids(const std::filesystem::path& file) {
    OutputIds out;
    std::ifstream events(file);
    for (std::string line; std::getline(events, line); ++out.lines) {
        const auto at = line.find("\"extra.id\":\"");
        if (at != std::string::npos) out.ids.insert(std::stoi(line.substr(at + 12)));
    }
    return out;
}

}  // namespace sluice::test
