// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Appending. Producers may live in separate processes, so nothing about the directory is trusted
// from memory: each append takes dir/producer.lock, finds the newest segment afresh, repairs a tail
// torn by a producer that died mid-write, and only then writes. While the lock is held no other
// write is in progress, so any incomplete record at the end of the newest segment is garbage.
// send() writes without syncing; the fdatasync comes when durability is asked for (wait_durable,
// append) or before the producer moves to another segment, so one sync can cover several batches
// while the host already works on the next ones. After each sync the producer raises dir/synced:
// from then on a record before it that fails its checks is damage, never a torn tail, and nothing
// before it is ever cut. A consumer may read records before they are synced; it saves its cursor
// only for synced ones (file_consumer.cpp).
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <span>
#include <string>
#include <thread>

#include "byte_buffer.hpp"
#include "disk_space.hpp"
#include "file_io.hpp"
#include "position_file.hpp"
#include "quarantine.hpp"
#include "queue_usage.hpp"
#include "record_format.hpp"
#include "segment_dir.hpp"
#include "segment_scan.hpp"
#include "sluice/brokers/file_queue.hpp"

namespace sluice {

namespace {

using namespace fileq;

// Allocated ahead of the appends, so that a statvfs and a fallocate come once per megabyte; never
// more than an eighth of the free space above the reserve, so that on a nearly full disk one queue
// does not hold what the others need.
constexpr uint64_t kAllocateAheadBytes = 1 << 20;
// How often a producer waiting for disk space looks again.
constexpr auto kDiskPoll = std::chrono::milliseconds(20);
// On a nearly full disk a queue its consumer has all but emptied may still take this much at a time
// from the upper three quarters of the reserve. Without it a pipeline whose data is larger than the
// disk wedges: the collector fills the disk, and a bot in the middle can no longer pass on the batch
// it holds, so it never acknowledges it and the queue before it never shrinks. Data only ever moves
// toward the outputs this way, and each queue takes at most two such pieces before it has to wait
// like the others, so the band is not used up by one queue.
constexpr uint64_t kBandPieceBytes = 64 << 10;
// A segment is given back only when all of it has been consumed; on a small file system segments are
// made small enough that what was consumed is given back long before the disk is full.
constexpr uint64_t kSegmentsPerDisk = 64;
constexpr uint64_t kSmallestSegmentBytes = 64 << 10;

uint64_t segment_bytes_for(FileSystem& fs, const std::filesystem::path& dir, uint64_t configured) {
    struct statvfs st {};
    if (fs.statvfs(dir.c_str(), &st) != 0) return configured;
    const uint64_t disk = uint64_t{st.f_blocks} * st.f_frsize;
    return std::min(configured, std::max(kSmallestSegmentBytes, disk / kSegmentsPerDisk));
}

uint64_t encoded_bytes(std::span<const std::string_view> records) {
    uint64_t total = 0;
    for (std::string_view record : records) total += kHeaderBytes + record.size();
    return total;
}

std::filesystem::path created(FileSystem& fs, std::filesystem::path dir) {
    create_queue_dir(fs, dir);
    return dir;
}

class FileProducer final : public QueueProducer {
 public:
    FileProducer(std::filesystem::path dir, FileQueueOptions options)
        : fs_(file_system_of(options)),
          dir_(created(fs_, std::move(dir))),
          options_(std::move(options)),
          lock_path_(producer_lock_path(dir_)),
          synced_(fs_, dir_, PositionFile::Kind::synced),
          segment_bytes_(segment_bytes_for(fs_, dir_, options_.segment_bytes)) {
        options_.poll_interval = std::max(options_.poll_interval, std::chrono::milliseconds(1));
        lock_fd_ = open_file(fs_, lock_path_, O_RDWR | O_CREAT);
    }

    bool append(const std::vector<std::string_view>& records, const StopToken& stop) override {
        uint64_t ticket = 0;
        return send(records, stop, ticket) && wait_durable(ticket, stop);
    }

    bool send(const std::vector<std::string_view>& records, const StopToken& stop, uint64_t& ticket) override {
        ticket = written_;  // nothing to write: durable once what came before is
        if (records.empty()) return true;
        check_records(records);
        if (!wait_for_room(stop)) return false;
        // Normally the whole batch in one write; on a nearly full disk it may go in pieces (allocate).
        std::span<const std::string_view> rest(records);
        while (!rest.empty()) {
            size_t count = 0;
            {
                ScopedFlock lock(fs_, lock_fd_.get(), lock_path_);
                count = ready_to_write(rest);
                if (count > 0) {
                    write_batch(rest.first(count));
                    written_end_ = {segment_, end_};
                    ticket = ++written_;
                }
            }
            rest = rest.subspan(count);
            if (count == 0 && !wait_for_disk(stop)) return false;
        }
        // A piece written into the reserve does not end the spell: the disk is still full.
        if (!in_reserve_) end_disk_wait(/*room=*/true);
        return true;
    }

    uint64_t durable() override { return synced_batches_; }

    bool wait_durable(uint64_t ticket, const StopToken&) override {
        if (ticket > synced_batches_) sync_written(/*lock_held=*/false);
        return true;
    }

    void sync() override { sync_written(/*lock_held=*/false); }

 private:
    // Rejects the whole batch before anything is written: a record the format cannot frame.
    void check_records(const std::vector<std::string_view>& records) const {
        for (std::string_view record : records) {
            if (record.empty()) throw QueueError("file queue " + dir_.string() + ": cannot append an empty record");
            if (record.size() > kMaxPayloadBytes) {
                throw QueueError("file queue " + dir_.string() + ": record of " + std::to_string(record.size()) +
                                 " bytes is over the 4 GiB limit");
            }
        }
    }

    // Checked before taking the lock so that a blocked producer does not stall the others'
    // bookkeeping; several producers may therefore overshoot the bound by one batch each.
    bool wait_for_room(const StopToken& stop) const {
        while (unacked_bytes(fs_, dir_) > options_.max_bytes) {
            if (stop && stop()) return false;
            std::this_thread::sleep_for(options_.poll_interval);
        }
        return true;
    }

    // Under the lock: the newest segment found, its tail repaired, blocks allocated. How many of the
    // records may be written now; 0 when the disk is too full for any, and then nothing is written.
    size_t ready_to_write(std::span<const std::string_view> records) {
        try {
            attach_newest_segment();
            repair_tail();
            if (end_ >= segment_bytes_ || lost_synced_bytes()) start_segment(segment_ + 1);
            return allocate(records);
        } catch (const QueueDiskFull&) {
            return 0;  // a quarantine copy or a new segment found no room either
        }
    }

    // Blocks are allocated before anything is written, a chunk ahead at a time, so that a full disk
    // stops an append before it has written part of a record and the reserve is kept. Below the
    // reserve a queue that is all but empty still takes a piece of the batch (kBandPieceBytes).
    size_t allocate(std::span<const std::string_view> records) {
        const uint64_t batch_bytes = encoded_bytes(records);
        if (end_ + batch_bytes <= allocated_end_) return records.size();
        const DiskSpace space = disk_space(fs_, dir_, options_);
        if (!space.below(batch_bytes)) {
            const uint64_t ahead = end_ < segment_bytes_ ? segment_bytes_ - end_ : 0;
            const uint64_t length =
                std::max(batch_bytes, std::min({ahead, kAllocateAheadBytes, (space.free - space.reserve) / 8}));
            if (!allocate_blocks(length)) return 0;
            in_reserve_ = false;
            return records.size();
        }
        if (unacked_bytes(fs_, dir_) >= kBandPieceBytes) return 0;
        const DiskSpace band{space.free, space.reserve / 4};
        const uint64_t limit =
            band.below(kBandPieceBytes) ? band.free - std::min(band.free, band.reserve) : kBandPieceBytes;
        size_t count = 1;  // the first record goes whole, however large, once there is room for it
        uint64_t piece = kHeaderBytes + records[0].size();
        while (count < records.size() && piece + kHeaderBytes + records[count].size() <= limit)
            piece += kHeaderBytes + records[count++].size();
        if (band.below(piece) || !allocate_blocks(piece)) return 0;
        in_reserve_ = true;
        return count;
    }

    bool allocate_blocks(uint64_t length) {
        if (can_allocate_ && fs_.fallocate(fd_.get(), static_cast<off_t>(end_), static_cast<off_t>(length)) != 0) {
            if (errno == ENOSPC || errno == EDQUOT) return false;
            // A file system that cannot (some network ones): the reserve check above is all there is.
            if (errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL) throw_io_error("allocate", path_, errno);
            can_allocate_ = false;
        }
        allocated_end_ = end_ + length;
        return true;
    }

    // One pause of a producer waiting for disk space; the first of a spell is logged and reported.
    bool wait_for_disk(const StopToken& stop) {
        if (!waiting_for_disk_) {
            waiting_for_disk_ = true;
            disk_wait_start_ = std::chrono::steady_clock::now();
            const DiskSpace space = disk_space(fs_, dir_, options_);
            report(options_, LogLevel::warning,
                   "file queue " + dir_.string() + ": disk full (" +
                       (space.free == UINT64_MAX ? std::string("no room for a batch")
                                                 : std::to_string(space.free) + " bytes free, " +
                                                       std::to_string(space.reserve) + " kept in reserve") +
                       "); appends wait until the consumers have freed space");
            if (options_.on_disk_full) options_.on_disk_full(true);
        }
        const auto until = std::chrono::steady_clock::now() + kDiskPoll;
        while (std::chrono::steady_clock::now() < until) {
            if (stop && stop()) {
                end_disk_wait(/*room=*/false);
                return false;
            }
            std::this_thread::sleep_for(options_.poll_interval);
        }
        return true;
    }

    void end_disk_wait(bool room) {
        if (!waiting_for_disk_) return;
        waiting_for_disk_ = false;
        if (room) {
            const auto waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - disk_wait_start_);
            report(options_, LogLevel::info,
                   "file queue " + dir_.string() + ": room on the disk again after " +
                       std::to_string(static_cast<int64_t>(waited.count())) + " s; appends go on");
        }
        if (options_.on_disk_full) options_.on_disk_full(false);
    }

    void attach_newest_segment() {
        const std::vector<uint64_t> segments = list_segments(fs_, dir_);
        if (segments.empty()) {
            start_segment(1);
            return;
        }
        const uint64_t newest = segments.back();
        // The inode tells whether the open file is still the one of that name (a queue directory that
        // was wiped and started again reuses names).
        if (fd_ && newest == segment_ && inode_of(path_) == inode_) return;
        sync_written(/*lock_held=*/true);  // what went into the segment left behind must not be forgotten
        path_ = segment_path(dir_, newest);
        fd_ = open_file(fs_, path_, O_RDWR);
        segment_ = newest;
        inode_ = inode_of(fd_.get());
        end_ = 0;  // nothing known about a segment another producer wrote
        allocated_end_ = 0;
    }

    ino_t inode_of(int fd) const {
        struct stat st {};
        if (fs_.fstat(fd, &st) != 0) throw_io_error("stat", path_, errno);
        return st.st_ino;
    }

    ino_t inode_of(const std::filesystem::path& path) const {
        struct stat st {};
        if (fs_.stat(path.c_str(), &st) != 0) return 0;  // gone: reopen by name
        return st.st_ino;
    }

    // end_ is the boundary after the last record this producer knows to be whole. A size that differs
    // means another producer appended (scan its records from end_) or the file was cut short (rescan).
    // Damaged bytes with whole records behind them stay where they are, for the consumer to
    // quarantine. Bytes with nothing whole behind them are cut only when they lie after the synced
    // mark: there they can only be a write that a crash cut short, never reported durable.
    void repair_tail() {
        const uint64_t size = file_size(fs_, fd_.get(), path_);
        if (size == end_) return;
        if (size < end_) end_ = 0;
        const uint64_t valid_end = scan_segment(fs_, fd_.get(), end_, size, /*verify_crc=*/true, buffer_, path_).end;
        end_ = size;
        if (valid_end == size || valid_end < synced_end(synced_, segment_)) return;
        quarantine(fs_, dir_, {segment_, fd_.get(), path_, valid_end, size - valid_end}, BadBytes::torn,
                   "cut from the segment before appending", options_, buffer_);
        // Not synced here: if the cut is lost in an OS crash, the same bytes are found again.
        truncate_file(fs_, fd_.get(), valid_end, path_);
        end_ = valid_end;
        allocated_end_ = 0;  // a truncation frees the blocks allocated after the end
    }

    // The segment is shorter than what was synced into it: bytes vanished behind the queue's back
    // (a file cut by hand, a disk that lost data). Appending here would put new records under a
    // cursor that may point past the cut; the next segment keeps them apart.
    bool lost_synced_bytes() {
        const uint64_t synced = synced_end(synced_, segment_);
        if (synced == UINT64_MAX || end_ >= synced) return false;
        report(options_, LogLevel::error,
               "file queue " + dir_.string() + ": " + path_.filename().string() + " holds " + std::to_string(end_) +
                   " bytes although " + std::to_string(synced) +
                   " had been synced into it; appending to a new segment instead");
        return true;
    }

    void start_segment(uint64_t sequence) {
        // The segment left behind is final once the new name exists: it must be on disk first, all of
        // it, whoever wrote it, so that a consumer can take any bad bytes in it for damage.
        if (fd_) {
            sync_data(fs_, fd_.get(), path_);
            synced_.raise({segment_, end_});
            synced_batches_ = written_;
        }
        std::filesystem::path path = segment_path(dir_, sequence);
        UniqueFd fd = open_file(fs_, path, O_RDWR | O_CREAT | O_EXCL);
        // Records fsynced into the new segment must survive an OS crash with its directory entry.
        sync_dir(fs_, dir_);
        fd_ = std::move(fd);
        path_ = std::move(path);
        segment_ = sequence;
        inode_ = inode_of(fd_.get());
        end_ = 0;
        allocated_end_ = 0;
    }

    // The records are written from where they are, each after its header: no copy of the batch,
    // however large (one record can be a report of tens of megabytes). Not synced here.
    void write_batch(std::span<const std::string_view> records) {
        headers_.resize(records.size() * kHeaderBytes);
        pieces_.clear();
        for (size_t i = 0; i < records.size(); ++i) {
            char* header = headers_.data() + i * kHeaderBytes;
            encode_header(header, records[i].data(), records[i].size());
            pieces_.push_back(iovec{header, kHeaderBytes});
            pieces_.push_back(iovec{const_cast<char*>(records[i].data()), records[i].size()});
        }
        try {
            pwritev_all(fs_, fd_.get(), pieces_, end_, path_);
        } catch (...) {
            // Whatever reached the file is of unknown durability; leave it for the next append's scan.
            fd_.reset();
            throw;
        }
        end_ += encoded_bytes(records);
    }

    // One fdatasync for every batch written since the last: the group commit. Then the synced mark,
    // under the lock because several producers raise it.
    void sync_written(bool lock_held) {
        if (synced_batches_ == written_) return;
        // A failed write dropped the file it went to: what was written there before cannot be
        // synced any more, so it must not be reported durable.
        if (!fd_)
            throw QueueError("file queue " + dir_.string() + ": a write failed before the last batches were synced");
        sync_data(fs_, fd_.get(), path_);
        if (lock_held) {
            synced_.raise(written_end_);
        } else {
            ScopedFlock lock(fs_, lock_fd_.get(), lock_path_);
            synced_.raise(written_end_);
        }
        synced_batches_ = written_;
    }

    FileSystem& fs_;
    std::filesystem::path dir_;
    FileQueueOptions options_;
    std::filesystem::path lock_path_;
    PositionFile synced_;
    uint64_t segment_bytes_;  // options_.segment_bytes, or less on a small file system
    UniqueFd lock_fd_;
    // The newest segment as of this producer's last append.
    std::filesystem::path path_;
    UniqueFd fd_;
    uint64_t segment_ = 0;
    ino_t inode_ = 0;
    uint64_t end_ = 0;
    uint64_t allocated_end_ = 0;  // blocks up to here are allocated in the newest segment
    bool can_allocate_ = true;
    bool waiting_for_disk_ = false;
    bool in_reserve_ = false;  // the last piece went below the reserve
    std::chrono::steady_clock::time_point disk_wait_start_;
    ByteBuffer buffer_;  // for scanning a segment another producer wrote to
    std::vector<char> headers_;
    std::vector<iovec> pieces_;
    uint64_t written_ = 0;         // batches written (the tickets of send)
    uint64_t synced_batches_ = 0;  // batches written and synced
    Position written_end_;         // just after the last batch written
};

}  // namespace

std::unique_ptr<QueueProducer> open_file_producer(const std::filesystem::path& dir, FileQueueOptions options) {
    return std::make_unique<FileProducer>(dir, std::move(options));
}

}  // namespace sluice
