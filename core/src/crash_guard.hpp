// SPDX-License-Identifier: AGPL-3.0-or-later
// Catches a message that kills the host process itself (a segfault or abort in a bot), which no
// retry inside the process can: without this the supervisor would restart the host, the same batch
// would come again, and the bot would crash-loop for ever.
//
// A small marker file (var/run/<bot>.inflight) says "a batch is being processed"; a handler for
// the crash signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) adds "and the process crashed" before
// the process dies. A host that finds a crash mark on start goes into suspect mode for the next
// batch: before each message it writes that message's hash and how often it has crashed the host,
// so the message on which it crashes again is known. A message that has crashed the host
// crash_max_deliveries times is dumped unprocessed and the bot goes on. A host killed from outside
// (SIGKILL, a power cut) leaves no crash mark, so it never counts against a message.
// The marker costs two small writes per batch in normal mode and one per message in suspect mode.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace sluice {

class CrashGuard {
 public:
    CrashGuard(const std::filesystem::path& marker, int64_t max_crashes);
    ~CrashGuard();
    CrashGuard(const CrashGuard&) = delete;
    CrashGuard& operator=(const CrashGuard&) = delete;

    bool suspect() const { return suspect_; }
    // A batch starts: in normal mode it is marked in progress.
    void begin_batch();
    // Suspect mode, before each message: how many times this message has crashed the host already.
    // At least max_crashes(): dump it instead of processing it.
    int64_t crashes_of(std::string_view record);
    int64_t max_crashes() const { return max_; }
    // The batch is acknowledged: the marker is cleared and suspect mode ends.
    void batch_done();

 private:
    void write(std::string_view text);
    int fd_ = -1;
    int64_t max_;
    bool suspect_ = false;
    bool batch_crashed_ = false;  // the predecessor crashed in normal mode: every message is suspect
    uint64_t hash_ = 0;           // the message the predecessor was on in suspect mode
    int64_t hash_crashes_ = 0;    // how often that message has crashed the host
};

}  // namespace sluice
