// SPDX-License-Identifier: AGPL-3.0-or-later
// What happens to bytes of a segment that can never be delivered: they are copied, durably, to a
// file of their own in quarantine/ (nothing the queue holds is ever thrown away unseen), and an
// operator is told where, how much and why.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "byte_buffer.hpp"
#include "sluice/brokers/file_queue.hpp"

namespace sluice::fileq {

enum class BadBytes {
    damaged,  // inside what had been synced, or followed by whole records: the disk changed them
    torn,     // after everything synced, with nothing whole behind: a write cut short by a crash
};

struct SegmentSpan {
    uint64_t sequence;
    int fd;
    const std::filesystem::path& path;
    uint64_t offset;
    uint64_t length;
};

// Copies the span to quarantine/ (fdatasync'ed, its entry synced), tells `options.log` and returns
// the copy's path. `what_next` ends the message: what the queue does about it.
std::filesystem::path quarantine(FileSystem& fs, const std::filesystem::path& dir, const SegmentSpan& span,
                                 BadBytes kind, const std::string& what_next, const FileQueueOptions& options,
                                 ByteBuffer& buffer);

// options.log, or stderr when it is unset.
void report(const FileQueueOptions& options, LogLevel level, const std::string& message);

}  // namespace sluice::fileq
