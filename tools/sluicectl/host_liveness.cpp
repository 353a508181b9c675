// SPDX-License-Identifier: AGPL-3.0-or-later
#include "host_liveness.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace sluice::ctl {

bool host_running(const Config& cfg, const std::string& bot) {
    // No O_CREAT: a bot that never ran has no lock file and is not running.
    const int fd = ::open(cfg.lock_file(bot).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    // A shared probe on a fresh descriptor: it fails only while a host holds its exclusive lock,
    // and it is released at once (a host starting in that instant would see it as held).
    const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
    ::close(fd);
    return held;
}

std::vector<std::string> bots_expected_up(const Config& cfg) {
    std::vector<std::string> out;
    for (const auto& [id, b] : cfg.bots)
        if (b.enabled && !b.remote && b.settings.run_mode != "scheduled") out.push_back(id);
    return out;
}

}  // namespace sluice::ctl
