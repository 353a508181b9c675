// SPDX-License-Identifier: AGPL-3.0-or-later
// Small helpers every test uses: a temporary folder that removes itself, and file helpers.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace sluice::test {

// A fresh folder under the system temp dir, removed with everything in it when this goes away.
class TempDir {
 public:
    explicit TempDir(const std::string& prefix = "sluice-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& child) const { return path_ / child; }

 private:
    std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, const std::string& content);

inline std::filesystem::path build_dir() { return SLUICE_BUILD_DIR; }
inline std::filesystem::path plugin_dir() { return SLUICE_PLUGIN_DIR; }
inline std::filesystem::path source_dir() { return SLUICE_SOURCE_DIR; }

}  // namespace sluice::test

namespace sluice::test {

struct CommandResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};
// Runs a shell command, capturing its output.
CommandResult run_command(const std::string& command);
inline std::string sluicectl() { return (build_dir() / "bin" / "sluicectl").string(); }
inline std::string fixture(const std::string& name) { return (build_dir() / "tests" / "fixtures" / name).string(); }
// The [paths] table that starts a test's configuration: var = "var" and the harmonization this
// tree ships. A test appends what else [paths] needs (plugins = […]) and its tables.
std::string test_paths();
// Number of lines in a file (0 when missing).
size_t count_lines(const std::filesystem::path& p);

// Starts a program in the background with stdout and stderr appended to `log`; returns its pid.
int spawn(const std::vector<std::string>& argv, const std::filesystem::path& log);
// Waits up to `seconds` for the process to exit; its exit code, 128+signal, or -1 on time-out.
int wait_exit(int pid, double seconds);
// The pids of the sluice-host processes running for the configuration file `config`.
std::vector<long> host_pids(const std::string& config);
// Polls `condition` every 10 ms for up to `seconds`; whether it became true.
bool eventually(const std::function<bool()>& condition, double seconds);

// A loopback TCP port nobody listens on right now (the kernel's choice), for a test server.
int free_port();

}  // namespace sluice::test
