// SPDX-License-Identifier: AGPL-3.0-or-later
#include "file_io.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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
    throw QueueError("file queue: cannot " + std::string(action) + " " + path.string() + ": " +
                     std::system_category().message(error));
}

UniqueFd open_file(const std::filesystem::path& path, int flags, bool missing_ok) {
    for (;;) {
        const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
        if (fd >= 0) return UniqueFd(fd);
        if (errno == EINTR) continue;
        if (errno == ENOENT && missing_ok) return UniqueFd();
        throw_io_error("open", path, errno);
    }
}

size_t pread_full(int fd, char* dst, size_t size, uint64_t offset, const std::filesystem::path& path) {
    size_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd, dst + done, size - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_io_error("read", path, errno);
        }
        if (n == 0) break;
        done += static_cast<size_t>(n);
    }
    return done;
}

void pwrite_all(int fd, const char* src, size_t size, uint64_t offset, const std::filesystem::path& path) {
    size_t done = 0;
    while (done < size) {
        const ssize_t n = ::pwrite(fd, src + done, size - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_io_error("write", path, errno);
        }
        done += static_cast<size_t>(n);
    }
}

void pwritev_all(int fd, std::vector<iovec>& pieces, uint64_t offset, const std::filesystem::path& path) {
    size_t first = 0;
    while (first < pieces.size()) {
        const int count = static_cast<int>(std::min<size_t>(pieces.size() - first, IOV_MAX));
        const ssize_t n = ::pwritev(fd, pieces.data() + first, count, static_cast<off_t>(offset));
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

uint64_t file_size(int fd, const std::filesystem::path& path) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw_io_error("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
}

void sync_data(int fd, const std::filesystem::path& path) {
    if (::fdatasync(fd) != 0) throw_io_error("fdatasync", path, errno);
}

void sync_dir(const std::filesystem::path& dir) {
    UniqueFd fd = open_file(dir, O_RDONLY | O_DIRECTORY);
    if (::fsync(fd.get()) != 0) throw_io_error("fsync", dir, errno);
}

void create_queue_dir(const std::filesystem::path& dir) {
    // Each directory created here must reach the disk in its parent's entries, or an OS crash could
    // take the queue away together with records that had been fsynced into it.
    std::error_code ec;
    std::vector<std::filesystem::path> created;
    for (std::filesystem::path p = std::filesystem::absolute(dir, ec); !ec && !std::filesystem::exists(p, ec);
         p = p.parent_path()) {
        created.push_back(p);
        if (p == p.parent_path()) break;
    }
    if (ec) throw_io_error("create directory", dir, ec.value());
    std::filesystem::create_directories(dir, ec);
    if (ec) throw_io_error("create directory", dir, ec.value());
    for (const std::filesystem::path& p : created) sync_dir(p.parent_path());
}

ScopedFlock::ScopedFlock(int fd, const std::filesystem::path& path) : fd_(fd) {
    while (::flock(fd_, LOCK_EX) != 0) {
        if (errno != EINTR) throw_io_error("lock", path, errno);
    }
}

ScopedFlock::~ScopedFlock() { ::flock(fd_, LOCK_UN); }

}  // namespace sluice::fileq
