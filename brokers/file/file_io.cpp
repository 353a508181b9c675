// SPDX-License-Identifier: AGPL-3.0-or-later
#include "file_io.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <string>
#include <system_error>
#include <vector>

#include "sluice/core/queue.hpp"

namespace sluice::fileq {

void throw_io_error(std::string_view action, const std::filesystem::path& path, int error) {
    // system_category().message() rather than strerror(): producers may run on several threads.
    if (error == ENOSPC || error == EDQUOT) {
        throw QueueDiskFull("file queue: cannot " + std::string(action) + " " + path.string() + ": " +
                            std::system_category().message(error));
    }
    throw QueueError("file queue: cannot " + std::string(action) + " " + path.string() + ": " +
                     std::system_category().message(error));
}

UniqueFd open_file(FileSystem& fs, const std::filesystem::path& path, int flags, bool missing_ok) {
    for (;;) {
        const int fd = fs.open(path.c_str(), flags | O_CLOEXEC, 0644);
        if (fd >= 0) return UniqueFd(fs, fd);
        if (errno == EINTR) continue;
        if (errno == ENOENT && missing_ok) return UniqueFd();
        throw_io_error("open", path, errno);
    }
}

size_t pread_full(FileSystem& fs, int fd, char* dst, size_t size, uint64_t offset, const std::filesystem::path& path) {
    size_t done = 0;
    while (done < size) {
        const ssize_t n = fs.pread(fd, dst + done, size - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_io_error("read", path, errno);
        }
        if (n == 0) break;
        done += static_cast<size_t>(n);
    }
    return done;
}

void pwrite_all(FileSystem& fs, int fd, const char* src, size_t size, uint64_t offset,
                const std::filesystem::path& path) {
    std::vector<iovec> piece{iovec{const_cast<char*>(src), size}};
    pwritev_all(fs, fd, piece, offset, path);
}

void pwritev_all(FileSystem& fs, int fd, std::vector<iovec>& pieces, uint64_t offset,
                 const std::filesystem::path& path) {
    size_t first = 0;
    while (first < pieces.size() && pieces[first].iov_len == 0) ++first;
    while (first < pieces.size()) {
        const int count = static_cast<int>(std::min<size_t>(pieces.size() - first, IOV_MAX));
        const ssize_t n = fs.pwritev(fd, pieces.data() + first, count, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_io_error("write", path, errno);
        }
        if (n == 0) throw_io_error("write", path, EIO);  // no progress on a regular file: give up
        offset += static_cast<uint64_t>(n);
        for (size_t left = static_cast<size_t>(n); left > 0 && first < pieces.size();) {
            iovec& piece = pieces[first];
            const size_t taken = std::min(left, piece.iov_len);
            piece.iov_base = static_cast<char*>(piece.iov_base) + taken;
            piece.iov_len -= taken;
            left -= taken;
            if (piece.iov_len == 0) ++first;
        }
        while (first < pieces.size() && pieces[first].iov_len == 0) ++first;
    }
}

uint64_t file_size(FileSystem& fs, int fd, const std::filesystem::path& path) {
    struct stat st {};
    if (fs.fstat(fd, &st) != 0) throw_io_error("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
}

void sync_data(FileSystem& fs, int fd, const std::filesystem::path& path) {
    if (fs.fdatasync(fd) != 0) throw_io_error("fdatasync", path, errno);
}

void truncate_file(FileSystem& fs, int fd, uint64_t size, const std::filesystem::path& path) {
    if (fs.ftruncate(fd, static_cast<off_t>(size)) != 0) throw_io_error("truncate", path, errno);
}

void sync_dir(FileSystem& fs, const std::filesystem::path& dir) {
    UniqueFd fd = open_file(fs, dir, O_RDONLY | O_DIRECTORY);
    if (fs.fsync(fd.get()) != 0) throw_io_error("fsync", dir, errno);
}

void create_queue_dir(FileSystem& fs, const std::filesystem::path& dir) {
    // Each directory created here must reach the disk in its parent's entries, or an OS crash could
    // take the queue away together with records that had been fsynced into it.
    std::vector<std::filesystem::path> missing;
    struct stat st {};
    for (std::filesystem::path p = std::filesystem::absolute(dir); fs.stat(p.c_str(), &st) != 0; p = p.parent_path()) {
        if (errno != ENOENT) throw_io_error("create directory", dir, errno);
        missing.push_back(p);
        if (p == p.parent_path()) break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (fs.mkdir(it->c_str(), 0755) != 0 && errno != EEXIST) throw_io_error("create directory", *it, errno);
        sync_dir(fs, it->parent_path());
    }
}

ScopedFlock::ScopedFlock(FileSystem& fs, int fd, const std::filesystem::path& path) : fs_(&fs), fd_(fd) {
    while (fs_->flock(fd_, LOCK_EX) != 0) {
        if (errno != EINTR) throw_io_error("lock", path, errno);
    }
}

std::optional<ScopedFlock> ScopedFlock::try_lock(FileSystem& fs, int fd, const std::filesystem::path& path) {
    while (fs.flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) return std::nullopt;
        if (errno != EINTR) throw_io_error("lock", path, errno);
    }
    return ScopedFlock(fs, fd, Held{});
}

ScopedFlock::~ScopedFlock() {
    if (fs_ != nullptr) fs_->flock(fd_, LOCK_UN);
}

}  // namespace sluice::fileq
