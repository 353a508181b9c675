// SPDX-License-Identifier: AGPL-3.0-or-later
// Which of this process's broker links are failing, and why: AMQP connections report here as they
// fail and recover, and the host shows it in its counters file, so that `sluicectl status` and
// /health say "broker error: … 403 ACCESS_REFUSED …" while the log says it once. Header-only
// (inline variables), so a transport library that links only the core headers can report.
#pragma once

#include <map>
#include <mutex>
#include <string>

namespace sluice::link_status {

inline std::mutex g_mutex;
inline std::map<std::string, std::string> g_failing;  // link (a broker URL without password) → why

inline void failing(const std::string& link, const std::string& why) {
    std::lock_guard lock(g_mutex);
    g_failing[link] = why;
}

inline void recovered(const std::string& link) {
    std::lock_guard lock(g_mutex);
    g_failing.erase(link);
}

// Every failing link's last error, "; "-separated; empty when all are well.
inline std::string summary() {
    std::lock_guard lock(g_mutex);
    std::string out;
    for (const auto& [link, why] : g_failing) out += (out.empty() ? "" : "; ") + why;
    return out;
}

}  // namespace sluice::link_status
