// SPDX-License-Identifier: AGPL-3.0-or-later
#include "crash_guard.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>

namespace sluice {
namespace {

// The marker is 64 bytes: text up to byte 62 ("", "batch", "message <hash> <crashes>" or
// "sending"), and at byte 63 how the process died, when it could say (CrashGuard::Death).
constexpr size_t kMarkerSize = 64;
constexpr off_t kFlagOffset = 63;
constexpr std::string_view kBatch = "batch";
constexpr std::string_view kMessage = "message ";
constexpr std::string_view kSending = "sending";

int g_marker_fd = -1;  // for the signal handler: one host, one guard per process

extern "C" void on_crash(int sig) {
    // Async-signal-safe only: one pwrite, then die of the same signal (the handler was reset).
    CrashGuard::mark_death(CrashGuard::Death::crash);
    ::raise(sig);
}

void install_crash_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_crash;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::sigaction(sig, &sa, nullptr);
}

}  // namespace

CrashGuard::CrashGuard(const std::filesystem::path& marker, int64_t max_crashes) : max_(max_crashes) {
    fd_ = ::open(marker.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error(marker.string() + ": " + std::strerror(errno));
    char buf[kMarkerSize + 1] = {};
    const ssize_t n = ::pread(fd_, buf, kMarkerSize, 0);
    const char how = n > kFlagOffset ? buf[kFlagOffset] : '\0';
    buf[kFlagOffset] = '\0';
    const std::string_view text(buf);
    if (text == kBatch) {
        // Died while processing a batch in normal mode: which message did it is not known yet.
        suspect_ = batch_crashed_ = true;
    } else if (text.substr(0, kMessage.size()) == kMessage) {
        unsigned long long hash = 0;
        long long crashes = 0;
        if (std::sscanf(buf + kMessage.size(), "%llu %lld", &hash, &crashes) == 2) {
            // Already in suspect mode: it stays, and the message counts one more death.
            suspect_ = true;
            hash_ = hash;
            hash_crashes_ = crashes + 1;
        }
    }
    if (suspect_ && (how == 'C' || how == 'T' || how == 'M')) death_ = static_cast<Death>(how);
    g_marker_fd = fd_;
    install_crash_handlers();
}

CrashGuard::~CrashGuard() {
    // An orderly exit (a stop, an error the host reports) is not the messages' fault: the batch
    // comes again, but not in suspect mode.
    write("");
    g_marker_fd = -1;
    if (fd_ >= 0) ::close(fd_);
}

void CrashGuard::mark_death(Death how) {
    const char flag = static_cast<char>(how);
    if (g_marker_fd >= 0) (void)!::pwrite(g_marker_fd, &flag, 1, kFlagOffset);
}

void CrashGuard::write(std::string_view text) {
    // The marker only has to outlive the process, not the machine: no fsync. Writing the whole 64
    // bytes also clears the crash flag. A failed write only weakens the detection, so it does not
    // stop the bot.
    char buf[kMarkerSize] = {};
    std::memcpy(buf, text.data(), std::min(text.size(), kMarkerSize - 1));
    (void)!::pwrite(fd_, buf, kMarkerSize, 0);
}

void CrashGuard::begin_batch() {
    if (!suspect_) write(kBatch);
}

int64_t CrashGuard::crashes_of(std::string_view record) {
    const uint64_t hash = std::hash<std::string_view>{}(record);
    const int64_t crashes = hash == hash_ ? hash_crashes_ : batch_crashed_ ? 1 : 0;
    // What is written is the count as it stands if this attempt crashes too: the handler only
    // flags the crash, the next start adds it.
    if (crashes < max_) write(std::string(kMessage) + std::to_string(hash) + " " + std::to_string(crashes));
    return crashes;
}

void CrashGuard::processing_done() { write(kSending); }

std::string CrashGuard::dump_reason(int64_t crashes) const {
    const std::string times = std::to_string(crashes) + " times (crash_max_deliveries = " + std::to_string(max_) + ")";
    switch (death_) {
        case Death::timed_out:
            return "timed out: processing this message took longer than process_timeout, " + times;
        case Death::out_of_memory:
            return "out of memory: processing this message took the host past memory_max, " + times;
        case Death::crash:
            return "the host process crashed while processing this message, " + times;
        case Death::unknown:
            break;
    }
    return "the host process died (killed, SIGKILL or the OOM killer) while processing this message, " + times;
}

void CrashGuard::batch_done() {
    write("");
    suspect_ = batch_crashed_ = false;
    hash_ = 0;
    hash_crashes_ = 0;
}

}  // namespace sluice
