// SPDX-License-Identifier: AGPL-3.0-or-later
// process_timeout: a bot that hangs in process() (an endless loop, a lock never released, a server
// that never answers) would block its input for good while looking alive. A thread watches the
// host's main thread: when it has been inside the bot's code for longer than the timeout without
// the host getting control back, the process marks the message (CrashGuard::Death::timed_out) and
// exits with kExitTimedOut. The supervisor restarts it, and the message counts as a crash delivery,
// so after crash_max_deliveries it is dumped with the reason "timed out".
//
// The main thread pays one relaxed atomic store per call into the bot; time is read only by the
// watchdog, a few times per timeout. Waits inside the host on behalf of the bot (an output queue
// that is full or waiting for disk space, during an emit) call alive(): they are not the bot's hang.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace sluice {

class Watchdog {
 public:
    // A timeout of zero or less: no thread, nothing is watched.
    Watchdog(std::chrono::duration<double> timeout, const std::string& bot);
    ~Watchdog();
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    void enter() {
        calls_.fetch_add(1, std::memory_order_relaxed);
        inside_.store(true, std::memory_order_relaxed);
    }
    void leave() { inside_.store(false, std::memory_order_relaxed); }
    void alive() { calls_.fetch_add(1, std::memory_order_relaxed); }

    // Calls into the bot between enter() and leave() for as long as it lives.
    struct Inside {
        Watchdog& dog;
        explicit Inside(Watchdog& d) : dog(d) { dog.enter(); }
        ~Inside() { dog.leave(); }
        Inside(const Inside&) = delete;
        Inside& operator=(const Inside&) = delete;
    };

 private:
    void watch();
    [[noreturn]] void fire();

    std::chrono::duration<double> timeout_;
    std::string message_;  // formatted beforehand: firing must not allocate
    std::atomic<uint64_t> calls_{0};
    std::atomic<bool> inside_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace sluice
