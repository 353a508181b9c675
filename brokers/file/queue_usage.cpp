// SPDX-License-Identifier: AGPL-3.0-or-later
#include "queue_usage.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <vector>

#include "byte_buffer.hpp"
#include "file_io.hpp"
#include "position_file.hpp"
#include "segment_dir.hpp"
#include "segment_scan.hpp"
#include "sluice/brokers/file_queue.hpp"

namespace sluice::fileq {

namespace {

struct SegmentSize {
    uint64_t sequence;
    uint64_t bytes;
};

// Segments the consumer deletes between the listing and the stat simply drop out.
std::vector<SegmentSize> segment_sizes(FileSystem& fs, const std::filesystem::path& dir,
                                       const std::vector<uint64_t>& segments) {
    std::vector<SegmentSize> sizes;
    sizes.reserve(segments.size());
    for (uint64_t sequence : segments) {
        const std::filesystem::path path = segment_path(dir, sequence);
        struct stat st {};
        if (fs.stat(path.c_str(), &st) != 0) {
            if (errno == ENOENT) continue;
            throw_io_error("stat", path, errno);
        }
        sizes.push_back({sequence, static_cast<uint64_t>(st.st_size)});
    }
    return sizes;
}

Position saved_start(FileSystem& fs, const std::filesystem::path& dir, const std::vector<uint64_t>& segments) {
    const auto saved = read_position_file(fs, dir, PositionFile::Kind::cursor);
    return resume_position(saved ? std::optional<Position>(saved->at) : std::nullopt, segments);
}

}  // namespace

uint64_t unacked_bytes(FileSystem& fs, const std::filesystem::path& dir) {
    const std::vector<uint64_t> segments = list_segments(fs, dir);
    const Position start = saved_start(fs, dir, segments);
    uint64_t total = 0;
    for (const SegmentSize& segment : segment_sizes(fs, dir, segments)) {
        if (segment.sequence > start.segment) {
            total += segment.bytes;
        } else if (segment.sequence == start.segment && segment.bytes > start.offset) {
            total += segment.bytes - start.offset;
        }
    }
    return total;
}

}  // namespace sluice::fileq

namespace sluice {

QueueStats file_queue_stats(const std::filesystem::path& dir) {
    using namespace fileq;
    FileSystem& fs = posix_file_system();
    const std::vector<uint64_t> segments = list_segments(fs, dir);
    const Position start = saved_start(fs, dir, segments);
    QueueStats stats;
    ByteBuffer buffer;
    for (const SegmentSize& segment : segment_sizes(fs, dir, segments)) {
        stats.bytes += segment.bytes;
        if (segment.sequence < start.segment) continue;
        const std::filesystem::path path = segment_path(dir, segment.sequence);
        UniqueFd fd = open_file(fs, path, O_RDONLY, /*missing_ok=*/true);
        if (!fd) continue;
        const uint64_t from = segment.sequence == start.segment ? start.offset : 0;
        if (from < segment.bytes) {
            stats.records +=
                scan_segment(fs, fd.get(), from, segment.bytes, /*verify_crc=*/false, buffer, path).records;
        }
    }
    return stats;
}

uint64_t file_queue_backlog_bytes(const std::filesystem::path& dir) {
    return fileq::unacked_bytes(fileq::posix_file_system(), dir);
}

uint64_t file_queue_damaged_bytes(const std::filesystem::path& dir) {
    std::error_code ec;
    uint64_t total = 0;
    for (const auto& entry : std::filesystem::directory_iterator(fileq::quarantine_dir(dir), ec)) {
        const uint64_t size = entry.file_size(ec);
        if (!ec) total += size;
    }
    return total;
}

}  // namespace sluice
