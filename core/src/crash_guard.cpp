// SPDX-License-Identifier: AGPL-3.0-or-later
#include "crash_guard.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>

namespace sluice {
namespace {

// Marker contents: empty (idle), "batch" (a batch in normal mode), "message <hash> <deliveries>".
constexpr std::string_view kBatch = "batch";
constexpr std::string_view kMessage = "message ";

}  // namespace

CrashGuard::CrashGuard(const std::filesystem::path& marker, int64_t max_deliveries) : max_(max_deliveries) {
    fd_ = ::open(marker.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error(marker.string() + ": " + std::strerror(errno));
    char buf[128] = {};
    const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
    const std::string_view content(buf, n > 0 ? static_cast<size_t>(n) : 0);
    suspect_ = !content.empty();
    if (content.substr(0, kMessage.size()) == kMessage) {
        unsigned long long hash = 0;
        long long deliveries = 0;
        if (std::sscanf(buf + kMessage.size(), "%llu %lld", &hash, &deliveries) == 2) {
            crashed_hash_ = hash;
            crashed_deliveries_ = deliveries;
        }
    }
}

CrashGuard::~CrashGuard() {
    if (fd_ >= 0) ::close(fd_);
}

void CrashGuard::write(std::string_view content) {
    // The marker only has to outlive the process, not the machine: no fsync. A failed write only
    // weakens crash-loop detection, so it does not stop the bot.
    if (::pwrite(fd_, content.data(), content.size(), 0) == static_cast<ssize_t>(content.size()))
        (void)::ftruncate(fd_, static_cast<off_t>(content.size()));
}

void CrashGuard::begin_batch() {
    if (!suspect_) write(kBatch);
}

int64_t CrashGuard::deliver(std::string_view record) {
    const uint64_t hash = std::hash<std::string_view>{}(record);
    // Every message of the crashed batch has been delivered once already; the one the predecessor
    // was on when it died, as often as the marker says.
    const int64_t deliveries = hash == crashed_hash_ && crashed_deliveries_ > 0 ? crashed_deliveries_ + 1 : 2;
    if (deliveries <= max_)
        write(std::string(kMessage) + std::to_string(hash) + " " + std::to_string(deliveries));
    return deliveries;
}

void CrashGuard::batch_done() {
    write("");
    suspect_ = false;
    crashed_hash_ = 0;
    crashed_deliveries_ = 0;
}

}  // namespace sluice
