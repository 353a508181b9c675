// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Reading. The consumer walks the segments in sequence order from its cursor. What it finds at the
// end of a segment means one of two things:
//  - in the newest segment, an incomplete or CRC-failing record is one still being written: wait;
//  - once a newer segment exists, no producer will write this one again, so the same bytes are a
//    tail torn by a crash: skip to the next segment. The segment is read once more after seeing the
//    newer one, because the last append before the rotation may have landed after the first read.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <thread>
#include <utility>

#include "byte_buffer.hpp"
#include "cursor.hpp"
#include "file_io.hpp"
#include "record_format.hpp"
#include "segment_dir.hpp"
#include "sluice/brokers/file_queue.hpp"

namespace sluice {

namespace {

using namespace fileq;

// One pread asks for this much; one take() stops reading once it holds this much (unless a single
// record is larger). Big reads keep the syscall count per record low.
constexpr size_t kReadChunkBytes = 1 << 20;
constexpr size_t kTakeBudgetBytes = 4 << 20;
constexpr auto kMaxWait = std::chrono::hours(24 * 365);

// One consumer per queue, in any process: the flock lives as long as the returned fd.
UniqueFd create_and_lock(const std::filesystem::path& dir) {
    create_queue_dir(dir);
    const std::filesystem::path path = consumer_lock_path(dir);
    UniqueFd fd = open_file(path, O_RDWR | O_CREAT);
    while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR) continue;
        if (errno == EWOULDBLOCK) {
            throw QueueError("file queue " + dir.string() + ": another consumer holds it (" + path.string() + ")");
        }
        throw_io_error("lock", path, errno);
    }
    return fd;
}

class FileConsumer final : public QueueConsumer {
 public:
    FileConsumer(std::filesystem::path dir, FileQueueOptions options)
        : dir_(std::move(dir)), options_(options), lock_fd_(create_and_lock(dir_)), cursor_(dir_) {
        options_.poll_interval = std::max(options_.poll_interval, std::chrono::milliseconds(1));
        const std::vector<uint64_t> segments = list_segments(dir_);
        acked_ = resume_position(cursor_.load(), segments);
        if (acked_.segment != 0) {
            // A cursor past the end of its segment (the file was cut short behind the consumer's back)
            // would land inside whatever is appended next; resume at the end instead.
            open_segment(acked_.segment);
            if (fd_) acked_.offset = std::min(acked_.offset, file_size(fd_.get(), path_));
        }
        taken_ = acked_;
    }

    const std::vector<std::string_view>& take(size_t max, std::chrono::milliseconds wait) override {
        views_.clear();
        if (max == 0) return views_;
        // Capped so that a "wait for ever" such as milliseconds::max() cannot overflow the clock.
        const auto deadline = std::chrono::steady_clock::now() + std::min<std::chrono::milliseconds>(wait, kMaxWait);
        for (;;) {
            collect(max);
            const auto now = std::chrono::steady_clock::now();
            if (!spans_.empty() || now >= deadline) break;
            std::this_thread::sleep_for(
                std::min<std::chrono::steady_clock::duration>(options_.poll_interval, deadline - now));
        }
        // Views are made only now: the buffer may have moved while it grew.
        for (const auto& [offset, length] : spans_) views_.emplace_back(buffer_.data() + offset, length);
        if (!views_.empty()) take_ends_.push_back(taken_);
        return views_;
    }

    void ack() override {
        take_ends_.clear();
        acknowledge(taken_);
    }

    void ack_oldest() override {
        if (take_ends_.empty()) return;
        const Position end = take_ends_.front();
        take_ends_.pop_front();
        acknowledge(end);
    }

 private:
    enum class Step { more, segment_end, full };

    void acknowledge(const Position& upto) {
        if (upto != acked_) {
            cursor_.store(upto);
            acked_ = upto;
        }
        if (acked_.segment > deleted_below_) delete_consumed_segments();
    }

    // Gathers up to `max` records after `taken_` into buffer_, recording (offset, length) spans.
    void collect(size_t max) {
        spans_.clear();
        used_ = 0;
        while (spans_.size() < max && used_ < kTakeBudgetBytes) {
            if (!fd_ && !open_current_segment()) return;
            const uint64_t size = file_size(fd_.get(), path_);
            const Step step = taken_.offset < size ? read_records(size, max) : Step::segment_end;
            if (step == Step::full) return;
            if (step == Step::more) continue;
            if (final_) {
                // Read after the newer segment appeared: what is left here was torn, never to be completed.
                fd_.reset();
                taken_ = {next_segment_, 0};
                continue;
            }
            const auto next = next_segment_after(dir_, taken_.segment);
            if (!next) return;  // the newest segment: wait for producers
            final_ = true;
            next_segment_ = *next;
        }
    }

    // One read at taken_: appends every whole, valid record it holds and advances taken_ past them.
    Step read_records(uint64_t size, size_t max) {
        const uint64_t span = std::min<uint64_t>(size - taken_.offset, std::max(kReadChunkBytes, want_));
        want_ = 0;
        buffer_.reserve(used_ + span, used_);
        char* const start = buffer_.data() + used_;
        const size_t got = pread_full(fd_.get(), start, span, taken_.offset, path_);
        size_t pos = 0;
        Frame frame{};
        while (spans_.size() < max) {
            frame = inspect_frame(start + pos, got - pos, /*verify_crc=*/true);
            if (frame.status != FrameStatus::ok) break;
            spans_.emplace_back(used_ + pos + kHeaderBytes, frame.length);
            pos += kHeaderBytes + frame.length;
        }
        used_ += pos;
        taken_.offset += pos;
        if (spans_.size() >= max) return Step::full;
        if (frame.status == FrameStatus::bad) return Step::segment_end;
        // need_more: more of the file than this read covered, or a record cut off at the end of the file.
        const uint64_t record_end = taken_.offset + kHeaderBytes + frame.length;
        if (taken_.offset + kHeaderBytes > size || record_end > size) return Step::segment_end;
        want_ = kHeaderBytes + frame.length;
        return Step::more;
    }

    bool open_current_segment() {
        const std::vector<uint64_t> segments = list_segments(dir_);
        if (segments.empty()) return false;
        if (std::find(segments.begin(), segments.end(), taken_.segment) == segments.end()) {
            taken_ = {segments.front(), 0};
        }
        open_segment(taken_.segment);
        return static_cast<bool>(fd_);
    }

    void open_segment(uint64_t sequence) {
        path_ = segment_path(dir_, sequence);
        fd_ = open_file(path_, O_RDONLY, /*missing_ok=*/true);
        final_ = false;
    }

    // Only segments wholly before the cursor go, and never the newest: a producer may be about to
    // append to it. Not synced: a deletion lost in an OS crash only brings back consumed records.
    void delete_consumed_segments() {
        const std::vector<uint64_t> segments = list_segments(dir_);
        for (uint64_t sequence : segments) {
            if (sequence >= acked_.segment || sequence == segments.back()) break;
            const std::filesystem::path path = segment_path(dir_, sequence);
            if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw_io_error("delete", path, errno);
        }
        deleted_below_ = acked_.segment;
    }

    std::filesystem::path dir_;
    FileQueueOptions options_;
    UniqueFd lock_fd_;  // holds the flock on consumer.lock for this consumer's lifetime
    CursorFile cursor_;
    Position acked_;  // persisted in cursor_
    Position taken_;  // after the last record handed out by take()
    std::deque<Position> take_ends_;  // where each take not acknowledged yet ended, oldest first
    uint64_t deleted_below_ = 0;

    // The segment taken_ points into.
    std::filesystem::path path_;
    UniqueFd fd_;
    bool final_ = false;  // a newer segment exists: this one will not grow any more
    uint64_t next_segment_ = 0;

    ByteBuffer buffer_;
    size_t used_ = 0;    // bytes of buffer_ holding records handed out by the current take()
    uint64_t want_ = 0;  // one record is larger than a chunk: read at least this much next time
    std::vector<std::pair<size_t, uint32_t>> spans_;
    std::vector<std::string_view> views_;
};

}  // namespace

std::unique_ptr<QueueConsumer> open_file_consumer(const std::filesystem::path& dir, FileQueueOptions options) {
    return std::make_unique<FileConsumer>(dir, options);
}

}  // namespace sluice
