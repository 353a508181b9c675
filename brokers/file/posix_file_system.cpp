// SPDX-License-Identifier: AGPL-3.0-or-later
#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "sluice/brokers/file_system.hpp"

namespace sluice::fileq {

namespace {

class PosixFileSystem final : public FileSystem {
 public:
    int open(const char* path, int flags, mode_t mode) override { return ::open(path, flags, mode); }
    int close(int fd) override { return ::close(fd); }
    ssize_t pread(int fd, void* dst, size_t size, off_t offset) override { return ::pread(fd, dst, size, offset); }
    ssize_t pwritev(int fd, const iovec* pieces, int count, off_t offset) override {
        return ::pwritev(fd, pieces, count, offset);
    }
    int fdatasync(int fd) override { return ::fdatasync(fd); }
    int fsync(int fd) override { return ::fsync(fd); }
    int ftruncate(int fd, off_t size) override { return ::ftruncate(fd, size); }
    int fstat(int fd, struct stat* st) override { return ::fstat(fd, st); }
    int stat(const char* path, struct stat* st) override { return ::stat(path, st); }
    int unlink(const char* path) override { return ::unlink(path); }
    int mkdir(const char* path, mode_t mode) override { return ::mkdir(path, mode); }
    int flock(int fd, int operation) override { return ::flock(fd, operation); }
    int statvfs(const char* path, struct statvfs* st) override { return ::statvfs(path, st); }
    int fallocate(int fd, off_t offset, off_t length) override {
        return ::fallocate(fd, FALLOC_FL_KEEP_SIZE, offset, length);
    }

    bool list(const char* dir, std::vector<std::string>& names) override {
        std::unique_ptr<DIR, int (*)(DIR*)> handle(::opendir(dir), &::closedir);
        if (!handle) return false;
        for (;;) {
            errno = 0;
            const dirent* entry = ::readdir(handle.get());
            if (entry == nullptr) return errno == 0;
            const std::string_view name = entry->d_name;
            if (name != "." && name != "..") names.emplace_back(name);
        }
    }
};

}  // namespace

FileSystem& posix_file_system() {
    static PosixFileSystem fs;
    return fs;
}

}  // namespace sluice::fileq
