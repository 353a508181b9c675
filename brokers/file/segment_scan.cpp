// SPDX-License-Identifier: AGPL-3.0-or-later
#include "segment_scan.hpp"

#include <algorithm>
#include <cstring>

#include "file_io.hpp"
#include "record_format.hpp"

namespace sluice::fileq {

namespace {

constexpr uint64_t kChunkBytes = 1 << 20;

// A window of the file [base, base + size) held in the buffer, moved and grown on demand, limited
// to [.., to).
class Window {
 public:
    Window(FileSystem& fs, int fd, uint64_t to, ByteBuffer& buffer, const std::filesystem::path& path)
        : fs_(fs), fd_(fd), to_(to), buffer_(buffer), path_(path) {}

    // Makes [offset, offset + length) available as far as the file goes; returns how many bytes
    // from `offset` on are at hand (more than asked when the window already held them).
    uint64_t ensure(uint64_t offset, uint64_t length) {
        if (offset >= base_ && offset + length <= base_ + size_) return base_ + size_ - offset;
        const uint64_t span = std::min(to_ - offset, std::max(kChunkBytes, length));
        buffer_.reserve(span);
        size_ = pread_full(fs_, fd_, buffer_.data(), span, offset, path_);
        base_ = offset;
        if (size_ < span) to_ = base_ + size_;  // the file shrank under us; judge only what is there
        return size_;
    }
    const char* at(uint64_t offset) const { return buffer_.data() + (offset - base_); }
    uint64_t to() const { return to_; }

 private:
    FileSystem& fs_;
    int fd_;
    uint64_t to_;
    ByteBuffer& buffer_;
    const std::filesystem::path& path_;
    uint64_t base_ = 0;
    uint64_t size_ = 0;
};

// Whether a whole record that passes every check starts at `offset`; its framed size if so.
std::optional<uint64_t> valid_record_at(Window& w, uint64_t offset, bool verify_crc) {
    if (offset + kHeaderBytes > w.to()) return std::nullopt;
    uint64_t have = w.ensure(offset, kHeaderBytes);
    Frame frame = inspect_frame(w.at(offset), have, verify_crc);
    if (frame.status == FrameStatus::need_more && frame.length != 0 && offset + kHeaderBytes + frame.length <= w.to()) {
        if (!verify_crc) return kHeaderBytes + frame.length;  // framing only: the payload is not read
        have = w.ensure(offset, kHeaderBytes + frame.length);
        frame = inspect_frame(w.at(offset), have, verify_crc);
    }
    if (frame.status != FrameStatus::ok) return std::nullopt;
    return kHeaderBytes + frame.length;
}

std::optional<uint64_t> search(Window& w, uint64_t from) {
    static constexpr char kMagic[4] = {'S', 'L', 'Q', static_cast<char>(0xF2)};
    for (uint64_t at = from + 1; at + kHeaderBytes <= w.to();) {
        const uint64_t have = w.ensure(at, kChunkBytes);
        const char* start = w.at(at);
        const void* hit = have >= 4 ? ::memmem(start, have, kMagic, 4) : nullptr;
        if (hit == nullptr) {
            if (have < kHeaderBytes) return std::nullopt;
            at += have - 3;  // the magic may straddle the window's end
            continue;
        }
        const uint64_t candidate = at + static_cast<uint64_t>(static_cast<const char*>(hit) - start);
        if (valid_record_at(w, candidate, /*verify_crc=*/true)) return candidate;
        at = candidate + 1;
    }
    return std::nullopt;
}

}  // namespace

ScanResult scan_segment(FileSystem& fs, int fd, uint64_t from, uint64_t to, bool verify_crc, ByteBuffer& buffer,
                        const std::filesystem::path& path) {
    Window w(fs, fd, to, buffer, path);
    ScanResult result{from, 0, 0};
    uint64_t pos = from;
    while (pos < w.to()) {
        if (const auto framed = valid_record_at(w, pos, verify_crc)) {
            pos += *framed;
            result.end = pos;
            ++result.records;
            continue;
        }
        const auto next = search(w, pos);
        if (!next) break;
        result.damaged_bytes += *next - pos;
        pos = *next;
    }
    return result;
}

std::optional<uint64_t> record_at(FileSystem& fs, int fd, uint64_t offset, uint64_t to, ByteBuffer& buffer,
                                  const std::filesystem::path& path) {
    Window w(fs, fd, to, buffer, path);
    return valid_record_at(w, offset, /*verify_crc=*/true);
}

std::optional<uint64_t> next_record_after(FileSystem& fs, int fd, uint64_t from, uint64_t to, ByteBuffer& buffer,
                                          const std::filesystem::path& path) {
    Window w(fs, fd, to, buffer, path);
    return search(w, from);
}

uint64_t boundary_at_or_before(FileSystem& fs, int fd, uint64_t offset, uint64_t size, ByteBuffer& buffer,
                               const std::filesystem::path& path) {
    Window w(fs, fd, size, buffer, path);
    uint64_t boundary = 0;
    uint64_t pos = 0;
    while (pos < offset && pos < w.to()) {
        auto framed = valid_record_at(w, pos, /*verify_crc=*/true);
        if (framed) {
            if (pos + *framed > offset) break;
            pos += *framed;
            boundary = pos;
            continue;
        }
        // Damage: what lies after it cannot be trusted to be what the cursor once pointed into.
        break;
    }
    return boundary;
}

}  // namespace sluice::fileq
