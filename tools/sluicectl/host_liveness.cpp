// SPDX-License-Identifier: AGPL-3.0-or-later
#include "host_liveness.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "sluice/core/stats.hpp"

namespace sluice::ctl {

long host_pid(const Config& cfg, const std::string& bot) {
    // No O_CREAT: a bot that never ran has no lock file and is not running.
    const int fd = ::open(cfg.lock_file(bot).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    // A shared probe on a fresh descriptor: it fails only while a host holds its exclusive lock,
    // and it is released at once (a host starting in that instant retries its own lock).
    if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
        ::close(fd);
        return 0;
    }
    char buf[32] = {};
    const long pid = ::pread(fd, buf, sizeof buf - 1, 0) > 0 ? std::strtol(buf, nullptr, 10) : 0;
    ::close(fd);
    if (pid <= 0) return -1;  // held, pid not written yet: a host is starting
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), {});
    for (char& c : cmdline)
        if (c == '\0') c = ' ';
    if (cmdline.find("sluice-host") == std::string::npos || cmdline.find(" " + bot) == std::string::npos) return -1;
    return pid;
}

bool host_running(const Config& cfg, const std::string& bot) { return host_pid(cfg, bot) != 0; }

double stuck_after(const BotSettings& settings) {
    return settings.process_timeout > 0 ? std::clamp(settings.process_timeout / 2, 2.0, 30.0) : 30.0;
}

bool host_stuck(const Config& cfg, const std::string& bot) {
    const auto file = cfg.stats_file(bot);
    BotStats stats;
    if (!BotStats::read(file, stats) || stats.in_flight == 0 || stats.state != "running") return false;
    std::error_code ec;
    const auto written = std::filesystem::last_write_time(file, ec);
    if (ec) return false;
    const auto age = std::chrono::duration<double>(std::filesystem::file_time_type::clock::now() - written);
    return age.count() > stuck_after(cfg.bots.at(bot).settings) && host_pid(cfg, bot) > 0;
}

std::vector<std::string> bots_expected_up(const Config& cfg) {
    std::vector<std::string> out;
    for (const auto& [id, b] : cfg.bots)
        if (b.enabled && !b.remote && b.settings.run_mode != "scheduled") out.push_back(id);
    return out;
}

}  // namespace sluice::ctl
