// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Appending. Producers may live in separate processes, so nothing about the directory is trusted
// from memory: each append takes dir/producer.lock, finds the newest segment afresh, repairs a tail
// torn by a producer that died mid-write, and only then writes. While the lock is held no other
// write is in progress, so any incomplete record at the end of the newest segment is garbage.
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
        if (records.empty()) return true;
        const uint64_t batch_bytes = encoded_size(records);
        if (!wait_for_room(stop)) return false;

        ScopedFlock lock(lock_fd_.get(), lock_path_);
        attach_newest_segment();
        drop_torn_tail();
        if (end_ >= options_.segment_bytes) start_segment(segment_ + 1);
        write_batch(records, batch_bytes);
        return true;
    }

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
        fd_ = std::move(fd);
        path_ = std::move(path);
        segment_ = sequence;
        inode_ = inode_of(fd_.get());
        end_ = 0;
    }

    void write_batch(const std::vector<std::string_view>& records, uint64_t batch_bytes) {
        buffer_.reserve(batch_bytes);
        char* out = buffer_.data();
        for (std::string_view record : records) {
            encode_record(out, record.data(), record.size());
            out += kHeaderBytes + record.size();
        }
        try {
            pwrite_all(fd_.get(), buffer_.data(), batch_bytes, end_, path_);
            sync_data(fd_.get(), path_);  // one sync for the whole batch: the group commit
        } catch (...) {
            // Whatever reached the file is of unknown durability; leave it for the next append's scan.
            fd_.reset();
            throw;
        }
        end_ += batch_bytes;
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
    ByteBuffer buffer_;
};

}  // namespace

std::unique_ptr<QueueProducer> open_file_producer(const std::filesystem::path& dir, FileQueueOptions options) {
    return std::make_unique<FileProducer>(dir, options);
}

}  // namespace sluice
