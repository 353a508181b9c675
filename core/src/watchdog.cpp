// SPDX-License-Identifier: AGPL-3.0-or-later
#include "watchdog.hpp"

#include <unistd.h>

#include <algorithm>

#include "crash_guard.hpp"
#include "sluice/core/host_exit.hpp"

namespace sluice {

Watchdog::Watchdog(std::chrono::duration<double> timeout, const std::string& bot) : timeout_(timeout) {
    if (timeout_.count() <= 0) return;
    message_ = "sluice-host " + bot + ": CRITICAL: one message has been in process() for more than " +
               std::to_string(timeout_.count()) +
               " s (process_timeout); exiting, the message counts as a crash delivery\n";
    thread_ = std::thread([this] { watch(); });
}

Watchdog::~Watchdog() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void Watchdog::watch() {
    // Looks four times per timeout: a hang is caught between 1 and 1.25 timeouts after it began.
    const auto tick = std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout_ / 4);
    uint64_t seen = calls_.load(std::memory_order_relaxed);
    auto same_since = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, tick, [this] { return stop_; })) {
        const uint64_t calls = calls_.load(std::memory_order_relaxed);
        const auto now = std::chrono::steady_clock::now();
        if (calls != seen || !inside_.load(std::memory_order_relaxed)) {
            seen = calls;
            same_since = now;
            continue;
        }
        if (now - same_since >= timeout_) fire();
    }
}

void Watchdog::fire() {
    // The main thread is stuck in the bot's code, perhaps holding a lock the logger or malloc needs:
    // nothing here takes one. The next host logs what happened (CrashGuard::predecessor_death).
    (void)!::write(STDERR_FILENO, message_.data(), message_.size());
    CrashGuard::mark_death(CrashGuard::Death::timed_out);
    ::_exit(kExitTimedOut);
}

}  // namespace sluice
