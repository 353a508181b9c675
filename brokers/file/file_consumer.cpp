// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Reading. The consumer walks the segments in sequence order from its cursor. A record that fails
// its checks, or is cut off at the end of the file, means one of these:
//  - in the newest segment, while a producer holds dir/producer.lock: one still being written, wait;
//  - with whole records behind it: damage (the disk changed bytes). They are copied to quarantine/,
//    reported, and reading goes on at the next whole record;
//  - with nothing whole behind it, in a segment no producer writes any more (a newer one exists, or
//    the producer lock is free): before the synced mark it is damage as above; after it, a tail torn
//    by a crash: quarantined too, and cut from the newest segment so that appends go on after the
//    last whole record.
// A segment is read once more after seeing the newer one, because the last append before the
// rotation may have landed after the first read.
//
// The cursor is saved only for records on disk: a position past dir/synced is first synced by the
// consumer itself. So after a power cut the cursor is never ahead of the data, and nothing it
// acknowledged can vanish under it. A cursor that still does not sit on a record boundary when the
// queue is opened (a file cut short behind the queue's back) is moved back to the last boundary
// before it: records are delivered again, none are skipped.
#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <thread>
#include <utility>

#include "byte_buffer.hpp"
#include "disk_space.hpp"
#include "file_io.hpp"
#include "position_file.hpp"
#include "quarantine.hpp"
#include "record_format.hpp"
#include "segment_dir.hpp"
#include "segment_scan.hpp"
#include "sluice/brokers/file_queue.hpp"

namespace sluice {

namespace {

using namespace fileq;

// One pread asks for this much; one take() stops reading once it holds this much (unless a single
// record is larger). Big reads keep the syscall count per record low.
constexpr size_t kReadChunkBytes = 1 << 20;
constexpr size_t kTakeBudgetBytes = 4 << 20;
constexpr auto kMaxWait = std::chrono::hours(24 * 365);
// A drained newest segment is given back, whatever its size, when the disk's free space is below
// this many times the reserve (a minimum size could leave a producer upstream waiting for ever for
// the few kilobytes such a segment holds); the free space is looked at this often.
constexpr uint64_t kPressureFactor = 4;
constexpr auto kSpaceCheckEvery = std::chrono::milliseconds(20);

// One consumer per queue, in any process: the flock lives as long as the returned fd.
UniqueFd create_and_lock(FileSystem& fs, const std::filesystem::path& dir) {
    create_queue_dir(fs, dir);
    const std::filesystem::path path = consumer_lock_path(dir);
    UniqueFd fd = open_file(fs, path, O_RDWR | O_CREAT);
    while (fs.flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR) continue;
        if (errno == EWOULDBLOCK) {
            throw QueueError("file queue " + dir.string() + ": another consumer holds it (" + path.string() + ")");
        }
        throw_io_error("lock", path, errno);
    }
    return fd;
}

// The format before records had a magic: [u32 length][u32 crc][payload]. Reading it as damage would
// quarantine the whole queue, so such a queue is refused before anything is read.
void refuse_earlier_format(FileSystem& fs, const std::filesystem::path& dir, const std::vector<uint64_t>& segments) {
    for (uint64_t sequence : segments) {
        const std::filesystem::path path = segment_path(dir, sequence);
        UniqueFd fd = open_file(fs, path, O_RDONLY, /*missing_ok=*/true);
        if (!fd) continue;
        char head[8];
        if (pread_full(fs, fd.get(), head, sizeof head, 0, path) < sizeof head) continue;
        if (load_le32(head) == kRecordMagic) continue;
        const uint32_t length = load_le32(head);
        if (length == 0 || length > (64u << 20)) continue;
        std::string payload(length, '\0');
        if (pread_full(fs, fd.get(), payload.data(), length, 8, path) != length) continue;
        if (payload_crc(payload.data(), length) != load_le32(head + 4)) continue;
        throw QueueError("file queue " + dir.string() + ": " + path.filename().string() +
                         " is in the record format of an earlier Sluice (records without a magic); drain the "
                         "queue with that version, or move the folder away, before starting this one");
    }
}

class FileConsumer final : public QueueConsumer {
 public:
    FileConsumer(std::filesystem::path dir, FileQueueOptions options)
        : fs_(file_system_of(options)),
          dir_(std::move(dir)),
          options_(std::move(options)),
          lock_fd_(create_and_lock(fs_, dir_)),
          cursor_(fs_, dir_, PositionFile::Kind::cursor),
          synced_(fs_, dir_, PositionFile::Kind::synced),
          producer_lock_path_(producer_lock_path(dir_)),
          producer_lock_fd_(open_file(fs_, producer_lock_path_, O_RDWR | O_CREAT)) {
        options_.poll_interval = std::max(options_.poll_interval, std::chrono::milliseconds(1));
        const std::vector<uint64_t> segments = list_segments(fs_, dir_);
        refuse_earlier_format(fs_, dir_, segments);
        const auto saved = cursor_.load();
        acked_ = resume_position(saved ? std::optional<Position>(saved->at) : std::nullopt, segments);
        if (acked_.segment != 0) {
            open_segment(acked_.segment);
            if (fd_) acked_.offset = checked_boundary(saved);
        }
        taken_ = acked_;
        last_start_ = taken_.offset;
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
        if (!views_.empty()) {
            take_ends_.push_back({taken_, last_start_});
        } else {
            give_back_drained_segment();
        }
        return views_;
    }

    void ack() override {
        take_ends_.clear();
        acknowledge({taken_, last_start_});
    }

    void ack_oldest() override {
        if (take_ends_.empty()) return;
        const SavedPosition end = take_ends_.front();
        take_ends_.pop_front();
        acknowledge(end);
    }

 private:
    enum class Step { more, segment_end, full, blocked };

    // The saved offset if it is a record boundary of the segment as it is now, else the last one
    // before it. A boundary is proven by the record the cursor says ends there.
    uint64_t checked_boundary(const std::optional<SavedPosition>& saved) {
        const uint64_t size = file_size(fs_, fd_.get(), path_);
        const uint64_t offset = acked_.offset;
        if (offset == 0) return 0;
        if (saved && saved->at == acked_ && saved->record_start < offset && offset <= size) {
            const auto framed = record_at(fs_, fd_.get(), saved->record_start, size, scratch_, path_);
            if (framed && saved->record_start + *framed == offset) return offset;
        }
        const uint64_t boundary = boundary_at_or_before(fs_, fd_.get(), std::min(offset, size), size, scratch_, path_);
        report(options_, LogLevel::warning,
               "file queue " + dir_.string() + ": the cursor (" + path_.filename().string() + " offset " +
                   std::to_string(offset) + ", file of " + std::to_string(size) +
                   " bytes) is not on a record boundary; delivering again from offset " + std::to_string(boundary));
        return boundary;
    }

    void acknowledge(const SavedPosition& upto) {
        if (upto.at != acked_) {
            make_durable(upto.at);
            cursor_.store(upto);
            acked_ = upto.at;
        }
        if (acked_.segment > deleted_below_) delete_consumed_segments();
    }

    // The cursor must never be ahead of what is on disk: a power cut would leave it pointing past
    // the end, or into what is written there next. Producers sync before they report a batch
    // durable, so this is rarely more than reading dir/synced.
    void make_durable(const Position& upto) {
        if (upto <= synced_known_) return;
        if (const auto mark = synced_.load()) synced_known_ = std::max(synced_known_, mark->at);
        if (upto <= synced_known_) return;
        // Earlier segments are final, and a producer syncs a segment before starting the next one.
        if (fd_ && upto.segment == taken_.segment) {
            sync_data(fs_, fd_.get(), path_);
        } else {
            const std::filesystem::path path = segment_path(dir_, upto.segment);
            if (UniqueFd fd = open_file(fs_, path, O_RDONLY, /*missing_ok=*/true)) sync_data(fs_, fd.get(), path);
        }
        ScopedFlock lock(fs_, producer_lock_fd_.get(), producer_lock_path_);
        synced_known_ = synced_.raise(upto);
    }

    // Gathers up to `max` records after `taken_` into buffer_, recording (offset, length) spans.
    void collect(size_t max) {
        spans_.clear();
        used_ = 0;
        while (spans_.size() < max && used_ < kTakeBudgetBytes) {
            if (!fd_ && !open_current_segment()) return;
            const uint64_t size = file_size(fs_, fd_.get(), path_);
            const Step step = taken_.offset < size ? read_records(size, max) : Step::segment_end;
            if (step == Step::full) return;
            if (step == Step::more) continue;
            if (step == Step::blocked) {
                if (final_) {
                    skip_bad_bytes(size);
                } else if (!see_newer_segment() && !resolve_in_newest()) {
                    return;  // a producer is writing, or a torn tail was cut: wait for appends
                }
                continue;  // after seeing the newer segment, read this one once more
            }
            if (final_) {
                // Read after the newer segment appeared: nothing more will come here.
                fd_.reset();
                taken_ = {next_segment_, 0};
                last_start_ = 0;
                continue;
            }
            if (!see_newer_segment()) return;  // the newest segment: wait for producers
        }
    }

    bool see_newer_segment() {
        const auto next = next_segment_after(fs_, dir_, taken_.segment);
        if (!next) return false;
        final_ = true;
        next_segment_ = *next;
        return true;
    }

    // One read at taken_: appends every whole, valid record it holds and advances taken_ past them.
    Step read_records(uint64_t size, size_t max) {
        const uint64_t span = std::min<uint64_t>(size - taken_.offset, std::max(kReadChunkBytes, want_));
        want_ = 0;
        buffer_.reserve(used_ + span, used_);
        char* const start = buffer_.data() + used_;
        const size_t got = pread_full(fs_, fd_.get(), start, span, taken_.offset, path_);
        size_t pos = 0;
        size_t last = 0;
        Frame frame{};
        while (spans_.size() < max) {
            frame = inspect_frame(start + pos, got - pos, /*verify_crc=*/true);
            if (frame.status != FrameStatus::ok) break;
            spans_.emplace_back(used_ + pos + kHeaderBytes, frame.length);
            last = pos;
            pos += kHeaderBytes + frame.length;
        }
        if (pos > 0) last_start_ = taken_.offset + last;
        used_ += pos;
        taken_.offset += pos;
        if (spans_.size() >= max) return Step::full;
        if (pos == got && taken_.offset == size) return Step::segment_end;
        if (frame.status == FrameStatus::bad) return Step::blocked;
        // need_more: more of the file than this read covered, or a record cut off at the end of the file.
        const uint64_t record_end = taken_.offset + kHeaderBytes + frame.length;
        if (taken_.offset + kHeaderBytes > size || record_end > size) return Step::blocked;
        want_ = kHeaderBytes + frame.length;
        return Step::more;
    }

    // A record at taken_ in the newest segment fails its checks or is cut off. Only with the producer
    // lock is it certain that no write is in progress there; without it, wait and look again.
    bool resolve_in_newest() {
        auto lock = ScopedFlock::try_lock(fs_, producer_lock_fd_.get(), producer_lock_path_);
        if (!lock) return false;
        if (see_newer_segment()) return true;  // rotated meanwhile: the segment is final, read it again
        const uint64_t size = file_size(fs_, fd_.get(), path_);
        if (taken_.offset >= size) return false;  // cut meanwhile: wait for appends
        if (record_at(fs_, fd_.get(), taken_.offset, size, scratch_, path_)) return true;  // finished meanwhile
        const auto next = next_record_after(fs_, fd_.get(), taken_.offset, size, scratch_, path_);
        if (next || taken_.offset < synced_end(synced_, taken_.segment)) {
            skip_bad_bytes(size, next);
            return true;
        }
        quarantine(fs_, dir_, {taken_.segment, fd_.get(), path_, taken_.offset, size - taken_.offset}, BadBytes::torn,
                   "cut from the segment; appends go on after the last whole record", options_, scratch_);
        // A read-only descriptor cannot truncate: open the segment for writing just for this.
        UniqueFd writable = open_file(fs_, path_, O_RDWR);
        truncate_file(fs_, writable.get(), taken_.offset, path_);
        return false;
    }

    // On a nearly full disk a drained newest segment is given back: with the producer lock held (no
    // append in progress), the next segment is created, the cursor moved there, the drained one
    // deleted. Otherwise each queue's newest segment keeps its blocks until it reaches
    // segment_bytes, and producers waiting for room could wait for ever.
    void give_back_drained_segment() {
        if (take_ends_.empty() && taken_.segment > acked_.segment && taken_.offset == 0) {
            // Read to the end of a final segment with every record acknowledged: the cursor moves
            // on, so that the drained segment goes now rather than when the next record comes.
            acknowledge({taken_, 0});
            return;
        }
        if (!fd_ || final_ || !take_ends_.empty() || taken_ != acked_ || taken_.offset == 0) return;
        const auto now = std::chrono::steady_clock::now();
        if (now - space_checked_ < kSpaceCheckEvery) return;
        space_checked_ = now;
        const DiskSpace space = disk_space(fs_, dir_, options_);
        if (space.free == UINT64_MAX || space.free >= kPressureFactor * space.reserve) return;
        auto lock = ScopedFlock::try_lock(fs_, producer_lock_fd_.get(), producer_lock_path_);
        if (!lock || see_newer_segment() || file_size(fs_, fd_.get(), path_) != taken_.offset) return;
        const uint64_t next = taken_.segment + 1;
        std::filesystem::path path = segment_path(dir_, next);
        UniqueFd fd = open_file(fs_, path, O_RDONLY | O_CREAT | O_EXCL);
        sync_dir(fs_, dir_);
        cursor_.store({{next, 0}, 0});
        const std::filesystem::path drained = std::exchange(path_, std::move(path));
        fd_ = std::move(fd);
        acked_ = taken_ = {next, 0};
        last_start_ = 0;
        if (fs_.unlink(drained.c_str()) != 0 && errno != ENOENT) throw_io_error("delete", drained, errno);
    }

    // Quarantines from taken_ to the next whole record (or the end of a segment nothing more will
    // be written to) and goes on there.
    void skip_bad_bytes(uint64_t size, std::optional<uint64_t> next = std::nullopt) {
        if (!next) next = next_record_after(fs_, fd_.get(), taken_.offset, size, scratch_, path_);
        const uint64_t end = next.value_or(size);
        const bool synced = taken_.offset < synced_end(synced_, taken_.segment);
        quarantine(fs_, dir_, {taken_.segment, fd_.get(), path_, taken_.offset, end - taken_.offset},
                   synced || next ? BadBytes::damaged : BadBytes::torn,
                   next     ? "going on with the next whole record at offset " + std::to_string(end)
                   : final_ ? std::string("going on with the next segment")
                            : std::string("going on with what is appended after them"),
                   options_, scratch_);
        taken_.offset = end;
        last_start_ = end;  // not the end of a record: a cursor saved here is checked when reopened
    }

    bool open_current_segment() {
        const std::vector<uint64_t> segments = list_segments(fs_, dir_);
        if (segments.empty()) return false;
        if (std::find(segments.begin(), segments.end(), taken_.segment) == segments.end()) {
            taken_ = {segments.front(), 0};
            last_start_ = 0;
        }
        open_segment(taken_.segment);
        return static_cast<bool>(fd_);
    }

    void open_segment(uint64_t sequence) {
        path_ = segment_path(dir_, sequence);
        fd_ = open_file(fs_, path_, O_RDONLY, /*missing_ok=*/true);
        final_ = false;
    }

    // Only segments wholly before the cursor go, and never the newest: a producer may be about to
    // append to it. Not synced: a deletion lost in an OS crash only brings back consumed records.
    void delete_consumed_segments() {
        const std::vector<uint64_t> segments = list_segments(fs_, dir_);
        for (uint64_t sequence : segments) {
            if (sequence >= acked_.segment || sequence == segments.back()) break;
            const std::filesystem::path path = segment_path(dir_, sequence);
            if (fs_.unlink(path.c_str()) != 0 && errno != ENOENT) throw_io_error("delete", path, errno);
        }
        deleted_below_ = acked_.segment;
    }

    FileSystem& fs_;
    std::filesystem::path dir_;
    FileQueueOptions options_;
    UniqueFd lock_fd_;  // holds the flock on consumer.lock for this consumer's lifetime
    PositionFile cursor_;
    PositionFile synced_;
    std::filesystem::path producer_lock_path_;
    UniqueFd producer_lock_fd_;
    Position synced_known_;                // dir/synced as last read or raised
    Position acked_;                       // persisted in cursor_
    Position taken_;                       // after the last record handed out by take()
    uint64_t last_start_ = 0;              // where the record that ends at taken_ starts
    std::deque<SavedPosition> take_ends_;  // where each take not acknowledged yet ended, oldest first
    uint64_t deleted_below_ = 0;
    std::chrono::steady_clock::time_point space_checked_;

    // The segment taken_ points into.
    std::filesystem::path path_;
    UniqueFd fd_;
    bool final_ = false;  // a newer segment exists: this one will not grow any more
    uint64_t next_segment_ = 0;

    ByteBuffer buffer_;
    ByteBuffer scratch_;  // for checks and copies, which must not move the records handed out
    size_t used_ = 0;     // bytes of buffer_ holding records handed out by the current take()
    uint64_t want_ = 0;   // one record is larger than a chunk: read at least this much next time
    std::vector<std::pair<size_t, uint32_t>> spans_;
    std::vector<std::string_view> views_;
};

}  // namespace

std::unique_ptr<QueueConsumer> open_file_consumer(const std::filesystem::path& dir, FileQueueOptions options) {
    return std::make_unique<FileConsumer>(dir, std::move(options));
}

}  // namespace sluice
