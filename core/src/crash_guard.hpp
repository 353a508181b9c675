// SPDX-License-Identifier: AGPL-3.0-or-later
// Catches a message that kills the host process itself, which no retry inside the process can: a
// segfault or abort in a bot, a SIGKILL (by an operator, the OOM killer, `sluicectl stop` giving up
// waiting), a message that runs past process_timeout (watchdog.hpp) or past memory_max. Without
// this the supervisor would restart the host, the same batch would come again, and the bot would
// crash-loop for ever.
//
// A small marker file (var/run/<bot>.inflight) says "a batch is being processed"; after the batch's
// messages have been processed it says "sending", and once everything is durable it is cleared. A
// host that finds it saying "batch" on start knows its predecessor died while processing (however
// it died) and goes into suspect mode for the next batch: before each message it writes that
// message's hash and how often it has died on it, so the message it dies on again is known. A
// message that has killed the host crash_max_deliveries times is dumped unprocessed and the bot
// goes on. How the process died is a byte the dying process sets when it can (a crash signal's
// handler, the watchdog, the out-of-memory handler); a SIGKILL leaves it unset. A host that exits
// in order (an error, a stop) clears the marker: only a death while processing counts.
// The marker costs three small writes per batch in normal mode and one per message in suspect mode.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace sluice {

class CrashGuard {
 public:
    // What the dying process wrote, if anything.
    enum class Death : char { unknown = 0, crash = 'C', timed_out = 'T', out_of_memory = 'M' };

    CrashGuard(const std::filesystem::path& marker, int64_t max_crashes);
    ~CrashGuard();
    CrashGuard(const CrashGuard&) = delete;
    CrashGuard& operator=(const CrashGuard&) = delete;

    bool suspect() const { return suspect_; }
    // How the predecessor died inside a batch (unknown also when it did not).
    Death predecessor_death() const { return death_; }
    // A batch starts: in normal mode it is marked in progress.
    void begin_batch();
    // Suspect mode, before each message: how many times this message has killed the host already.
    // At least max_crashes(): dump it instead of processing it.
    int64_t crashes_of(std::string_view record);
    int64_t max_crashes() const { return max_; }
    // The batch's messages are processed; what remains (sending, waiting for durability) is not
    // the messages' fault if the host dies in it.
    void processing_done();
    // The batch is acknowledged: the marker is cleared and suspect mode ends.
    void batch_done();
    // Why the message about to be dumped killed the host, for the dump and the log.
    std::string dump_reason(int64_t crashes) const;

    // Async-signal-safe: the process is about to die of `how` (called from a signal handler, the
    // watchdog thread, the new-handler). Does nothing when no guard exists.
    static void mark_death(Death how);

 private:
    void write(std::string_view text);
    int fd_ = -1;
    int64_t max_;
    bool suspect_ = false;
    bool batch_crashed_ = false;  // the predecessor died in normal mode: every message is suspect
    uint64_t hash_ = 0;           // the message the predecessor was on in suspect mode
    int64_t hash_crashes_ = 0;    // how often that message has killed the host
    Death death_ = Death::unknown;
};

}  // namespace sluice
