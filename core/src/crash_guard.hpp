// SPDX-License-Identifier: AGPL-3.0-or-later
// Catches a message that kills the host process itself (a segfault or abort in a bot), which no
// retry inside the process can: without this the supervisor would restart the host, the same batch
// would come again, and the bot would crash-loop for ever.
//
// A small marker file (var/run/<bot>.inflight) says "a batch is being processed". A host that
// finds it on start knows its predecessor died inside a batch and goes into suspect mode for the
// next batch: before each message it writes that message's hash and how many times it has been
// delivered; a message found there again after a crash has killed the host once more. Once a
// message has been delivered crash_max_deliveries times, the host dumps it unprocessed and goes on.
// The marker costs two small writes per batch in normal mode and one per message in suspect mode.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace sluice {

class CrashGuard {
 public:
    CrashGuard(const std::filesystem::path& marker, int64_t max_deliveries);
    ~CrashGuard();
    CrashGuard(const CrashGuard&) = delete;
    CrashGuard& operator=(const CrashGuard&) = delete;

    bool suspect() const { return suspect_; }
    // A batch starts: in normal mode it is marked in progress.
    void begin_batch();
    // Suspect mode, before each message: how many times this message has now been delivered, counting
    // the crashed batch it was part of. Greater than max_deliveries: dump it instead of processing.
    int64_t deliver(std::string_view record);
    int64_t max_deliveries() const { return max_; }
    // The batch is acknowledged: the marker is cleared and suspect mode ends.
    void batch_done();

 private:
    void write(std::string_view content);
    int fd_ = -1;
    int64_t max_;
    bool suspect_ = false;
    uint64_t crashed_hash_ = 0;     // the message the predecessor was on when it died, if known
    int64_t crashed_deliveries_ = 0;
};

}  // namespace sluice
