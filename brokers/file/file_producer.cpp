// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Appending. Producers may live in separate processes, so nothing about the directory is trusted
// from memory: each append takes dir/producer.lock, finds the newest segment afresh, repairs a tail
// torn by a producer that died mid-write, and only then writes. While the lock is held no other
// write is in progress, so any incomplete record at the end of the newest segment is garbage.
// send() writes without syncing; the fdatasync comes when durability is asked for (wait_durable,
// append) or before the producer moves to another segment, so one sync can cover several batches
// while the host already works on the next ones. A consumer may read records before they are
// synced, as it always could between write and sync: only the sender's acknowledgement of its own
// input waits for the sync, and a machine crash before it makes the sender deliver them again.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <thread>

#include "byte_buffer.hpp"
#include "file_io.hpp"
#include "queue_usage.hpp"
#include "record_format.hpp"
#include "segment_dir.hpp"
#include "segment_scan.hpp"
#include "sluice/brokers/file_queue.hpp"

namespace sluice {

namespace {

using namespace fileq;

class FileProducer final : public QueueProducer {
 public:
    FileProducer(std::filesystem::path dir, FileQueueOptions options)
        : dir_(std::move(dir)), options_(options), lock_path_(producer_lock_path(dir_)) {
        options_.poll_interval = std::max(options_.poll_interval, std::chrono::milliseconds(1));
        create_queue_dir(dir_);
        lock_fd_ = open_file(lock_path_, O_RDWR | O_CREAT);
    }

    bool append(const std::vector<std::string_view>& records, const StopToken& stop) override {
        uint64_t ticket = 0;
        return send(records, stop, ticket) && wait_durable(ticket, stop);
    }

    bool send(const std::vector<std::string_view>& records, const StopToken& stop, uint64_t& ticket) override {
        ticket = written_;  // nothing to write: durable once what came before is
        if (records.empty()) return true;
        const uint64_t batch_bytes = encoded_size(records);
        if (!wait_for_room(stop)) return false;

        ScopedFlock lock(lock_fd_.get(), lock_path_);
        attach_newest_segment();
        drop_torn_tail();
        if (end_ >= options_.segment_bytes) start_segment(segment_ + 1);
        write_batch(records, batch_bytes);
        ticket = ++written_;
        return true;
    }

    uint64_t durable() override { return synced_; }

    bool wait_durable(uint64_t ticket, const StopToken&) override {
        if (ticket > synced_) sync_written();
        return true;
    }

    void sync() override { sync_written(); }

 private:
    // Rejects the whole batch before anything is written: a record the format cannot frame.
    uint64_t encoded_size(const std::vector<std::string_view>& records) const {
        uint64_t total = 0;
        for (std::string_view record : records) {
            if (record.empty()) throw QueueError("file queue " + dir_.string() + ": cannot append an empty record");
            if (record.size() > kMaxPayloadBytes) {
                throw QueueError("file queue " + dir_.string() + ": record of " + std::to_string(record.size()) +
                                 " bytes is over the 4 GiB limit");
            }
            total += kHeaderBytes + record.size();
        }
        return total;
    }

    // Checked before taking the lock so that a blocked producer does not stall the others'
    // bookkeeping; several producers may therefore overshoot the bound by one batch each.
    bool wait_for_room(const StopToken& stop) const {
        while (unacked_bytes(dir_) > options_.max_bytes) {
            if (stop && stop()) return false;
            std::this_thread::sleep_for(options_.poll_interval);
        }
        return true;
    }

    void attach_newest_segment() {
        const std::vector<uint64_t> segments = list_segments(dir_);
        if (segments.empty()) {
            start_segment(1);
            return;
        }
        const uint64_t newest = segments.back();
        // The inode tells whether the open file is still the one of that name (a queue directory that
        // was wiped and started again reuses names).
        if (fd_ && newest == segment_ && inode_of(path_) == inode_) return;
        sync_written();  // what went into the segment left behind must not be forgotten
        path_ = segment_path(dir_, newest);
        fd_ = open_file(path_, O_RDWR);
        segment_ = newest;
        inode_ = inode_of(fd_.get());
        end_ = 0;  // nothing known about a segment another producer wrote
    }

    ino_t inode_of(int fd) const {
        struct stat st {};
        if (::fstat(fd, &st) != 0) throw_io_error("stat", path_, errno);
        return st.st_ino;
    }

    ino_t inode_of(const std::filesystem::path& path) const {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) return 0;  // gone: reopen by name
        return st.st_ino;
    }

    // end_ is the boundary after the last record this producer knows to be whole. A size that differs
    // means another producer appended (scan its records from end_) or the file was cut short (rescan).
    void drop_torn_tail() {
        const uint64_t size = file_size(fd_.get(), path_);
        if (size == end_) return;
        if (size < end_) end_ = 0;
        end_ = scan_segment(fd_.get(), end_, size, /*verify_crc=*/true, buffer_, path_).end;
        // Not synced here: if the cut is lost in an OS crash, the garbage comes back at the end of a
        // segment that is no longer the newest, which the consumer skips as a torn tail.
        if (end_ < size && ::ftruncate(fd_.get(), static_cast<off_t>(end_)) != 0) {
            throw_io_error("truncate", path_, errno);
        }
    }

    void start_segment(uint64_t sequence) {
        std::filesystem::path path = segment_path(dir_, sequence);
        UniqueFd fd = open_file(path, O_RDWR | O_CREAT | O_EXCL);
        // The consumer treats the previous segment as final as soon as it sees this name; it must also
        // survive an OS crash, or records fsynced into it would vanish with the directory entry.
        sync_dir(dir_);
        sync_written();
        fd_ = std::move(fd);
        path_ = std::move(path);
        segment_ = sequence;
        inode_ = inode_of(fd_.get());
        end_ = 0;
    }

    // The records are written from where they are, each after its header: no copy of the batch,
    // however large (one record can be a report of tens of megabytes). Not synced here.
    void write_batch(const std::vector<std::string_view>& records, uint64_t batch_bytes) {
        headers_.resize(records.size() * kHeaderBytes);
        pieces_.clear();
        for (size_t i = 0; i < records.size(); ++i) {
            char* header = headers_.data() + i * kHeaderBytes;
            encode_header(header, records[i].data(), records[i].size());
            pieces_.push_back(iovec{header, kHeaderBytes});
            pieces_.push_back(iovec{const_cast<char*>(records[i].data()), records[i].size()});
        }
        try {
            pwritev_all(fd_.get(), pieces_, end_, path_);
        } catch (...) {
            // Whatever reached the file is of unknown durability; leave it for the next append's scan.
            fd_.reset();
            throw;
        }
        end_ += batch_bytes;
    }

    // One fdatasync for every batch written since the last: the group commit.
    void sync_written() {
        if (synced_ == written_) return;
        // A failed write dropped the file it went to: what was written there before cannot be
        // synced any more, so it must not be reported durable.
        if (!fd_)
            throw QueueError("file queue " + dir_.string() + ": a write failed before the last batches were synced");
        sync_data(fd_.get(), path_);
        synced_ = written_;
    }

    std::filesystem::path dir_;
    FileQueueOptions options_;
    std::filesystem::path lock_path_;
    UniqueFd lock_fd_;
    // The newest segment as of this producer's last append.
    std::filesystem::path path_;
    UniqueFd fd_;
    uint64_t segment_ = 0;
    ino_t inode_ = 0;
    uint64_t end_ = 0;
    ByteBuffer buffer_;  // for scanning a segment another producer wrote to
    std::vector<char> headers_;
    std::vector<iovec> pieces_;
    uint64_t written_ = 0;  // batches written (the tickets of send)
    uint64_t synced_ = 0;   // batches written and synced
};

}  // namespace

std::unique_ptr<QueueProducer> open_file_producer(const std::filesystem::path& dir, FileQueueOptions options) {
    return std::make_unique<FileProducer>(dir, options);
}

}  // namespace sluice
