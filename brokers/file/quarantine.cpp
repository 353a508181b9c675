// SPDX-License-Identifier: AGPL-3.0-or-later
#include "quarantine.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cstdio>

#include "file_io.hpp"
#include "segment_dir.hpp"

namespace sluice::fileq {

namespace {
constexpr uint64_t kCopyChunk = 1 << 20;
}

void report(const FileQueueOptions& options, LogLevel level, const std::string& message) {
    if (options.log) {
        options.log(level, message);
        return;
    }
    // The broker library does not link the logger; a bare level word is enough on stderr.
    const char* word = level >= LogLevel::error ? "ERROR" : level >= LogLevel::warning ? "WARNING" : "INFO";
    std::fprintf(stderr, "%s %s\n", word, message.c_str());
}

std::filesystem::path quarantine(FileSystem& fs, const std::filesystem::path& dir, const SegmentSpan& span,
                                 BadBytes kind, const std::string& what_next, const FileQueueOptions& options,
                                 ByteBuffer& buffer) {
    create_queue_dir(fs, quarantine_dir(dir));
    const std::filesystem::path target = quarantine_path(dir, span.sequence, span.offset);
    // O_TRUNC: a consumer that stopped before acknowledging past these bytes finds them again on its
    // next start and writes the same copy.
    UniqueFd out = open_file(fs, target, O_WRONLY | O_CREAT | O_TRUNC);
    for (uint64_t done = 0; done < span.length;) {
        const uint64_t chunk = std::min(kCopyChunk, span.length - done);
        buffer.reserve(chunk);
        const size_t got = pread_full(fs, span.fd, buffer.data(), chunk, span.offset + done, span.path);
        if (got == 0) break;  // the segment is shorter than it was: nothing more to keep
        pwrite_all(fs, out.get(), buffer.data(), got, done, target);
        done += got;
    }
    sync_data(fs, out.get(), target);
    sync_dir(fs, quarantine_dir(dir));

    const bool damaged = kind == BadBytes::damaged;
    report(options, damaged ? LogLevel::error : LogLevel::warning,
           "file queue " + dir.string() + ": " + std::to_string(span.length) + " bytes at offset " +
               std::to_string(span.offset) + " of " + span.path.filename().string() +
               (damaged ? " are damaged (they fail their checks although they had been written whole)"
                        : " are a record torn by a crash (never reported durable, so its sender has it again)") +
               "; copied to " + target.string() + ", " + what_next);
    return target;
}

}  // namespace sluice::fileq
