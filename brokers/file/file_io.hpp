// SPDX-License-Identifier: AGPL-3.0-or-later
// Thin wrappers over the file operations the queue makes: they retry EINTR and short transfers, and
// turn failures into QueueError messages that name the file and the reason.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/brokers/file_queue.hpp"
#include "unique_fd.hpp"

namespace sluice::fileq {

inline FileSystem& file_system_of(const FileQueueOptions& options) {
    return options.file_system != nullptr ? *options.file_system : posix_file_system();
}

[[noreturn]] void throw_io_error(std::string_view action, const std::filesystem::path& path, int error);

// Returns an empty UniqueFd when the file does not exist and `missing_ok` is set.
UniqueFd open_file(FileSystem& fs, const std::filesystem::path& path, int flags, bool missing_ok = false);

// Reads until `size` bytes or end of file; returns the number read.
size_t pread_full(FileSystem& fs, int fd, char* dst, size_t size, uint64_t offset, const std::filesystem::path& path);
void pwrite_all(FileSystem& fs, int fd, const char* src, size_t size, uint64_t offset,
                const std::filesystem::path& path);
// Writes every piece of `pieces`, in order, from `offset` on (IOV_MAX at a time, resuming after a
// short write). The pieces are advanced as they go out.
void pwritev_all(FileSystem& fs, int fd, std::vector<iovec>& pieces, uint64_t offset,
                 const std::filesystem::path& path);

uint64_t file_size(FileSystem& fs, int fd, const std::filesystem::path& path);
void sync_data(FileSystem& fs, int fd, const std::filesystem::path& path);
void truncate_file(FileSystem& fs, int fd, uint64_t size, const std::filesystem::path& path);
// Makes a created or renamed directory entry durable.
void sync_dir(FileSystem& fs, const std::filesystem::path& dir);
// Creates `dir` and any missing parents, each made durable in its parent's entries.
void create_queue_dir(FileSystem& fs, const std::filesystem::path& dir);

// Blocks until this fd holds the exclusive flock, releasing it when it goes out of scope.
class ScopedFlock {
 public:
    ScopedFlock(FileSystem& fs, int fd, const std::filesystem::path& path);
    ~ScopedFlock();
    ScopedFlock(const ScopedFlock&) = delete;
    ScopedFlock& operator=(const ScopedFlock&) = delete;
    ScopedFlock(ScopedFlock&& other) noexcept : fs_(std::exchange(other.fs_, nullptr)), fd_(other.fd_) {}
    ScopedFlock& operator=(ScopedFlock&&) = delete;

    // Takes the lock only if nobody holds it: empty when busy.
    static std::optional<ScopedFlock> try_lock(FileSystem& fs, int fd, const std::filesystem::path& path);

 private:
    struct Held {};
    ScopedFlock(FileSystem& fs, int fd, Held) : fs_(&fs), fd_(fd) {}
    FileSystem* fs_;
    int fd_;
};

}  // namespace sluice::fileq
