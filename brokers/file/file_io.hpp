// SPDX-License-Identifier: AGPL-3.0-or-later
// Thin wrappers over the POSIX calls the queue makes: they retry EINTR and short transfers, and turn
// failures into QueueError messages that name the file and the reason.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "unique_fd.hpp"

namespace sluice::fileq {

[[noreturn]] void throw_io_error(std::string_view action, const std::filesystem::path& path, int error);

// Returns an empty UniqueFd when the file does not exist and `missing_ok` is set.
UniqueFd open_file(const std::filesystem::path& path, int flags, bool missing_ok = false);

// Reads until `size` bytes or end of file; returns the number read.
size_t pread_full(int fd, char* dst, size_t size, uint64_t offset, const std::filesystem::path& path);
void pwrite_all(int fd, const char* src, size_t size, uint64_t offset, const std::filesystem::path& path);
// Writes every piece of `pieces`, in order, from `offset` on (IOV_MAX at a time, resuming after a
// short write). The pieces are advanced as they go out.
void pwritev_all(int fd, std::vector<iovec>& pieces, uint64_t offset, const std::filesystem::path& path);

uint64_t file_size(int fd, const std::filesystem::path& path);
void sync_data(int fd, const std::filesystem::path& path);
// Makes a created or renamed directory entry durable.
void sync_dir(const std::filesystem::path& dir);
void create_queue_dir(const std::filesystem::path& dir);

// Blocks until this fd holds the exclusive flock, releasing it when it goes out of scope.
class ScopedFlock {
 public:
    ScopedFlock(int fd, const std::filesystem::path& path);
    ~ScopedFlock();
    ScopedFlock(const ScopedFlock&) = delete;
    ScopedFlock& operator=(const ScopedFlock&) = delete;

 private:
    int fd_;
};

}  // namespace sluice::fileq
