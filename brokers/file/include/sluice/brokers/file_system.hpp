// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Every file operation of the file queue goes through one of these. The queue uses the POSIX one;
// the power-loss test gives it a simulated disk that records each write and sync and can then say
// what a power cut at any moment could have left behind (tests/unit/crash_disk.hpp).
// The calls follow POSIX: -1 (or false) with errno set on failure.
#pragma once

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <string>
#include <vector>

namespace sluice::fileq {

class FileSystem {
 public:
    virtual ~FileSystem() = default;
    virtual int open(const char* path, int flags, mode_t mode) = 0;
    virtual int close(int fd) = 0;
    virtual ssize_t pread(int fd, void* dst, size_t size, off_t offset) = 0;
    virtual ssize_t pwritev(int fd, const iovec* pieces, int count, off_t offset) = 0;
    virtual int fdatasync(int fd) = 0;
    virtual int fsync(int fd) = 0;  // a directory: makes its entries durable
    virtual int ftruncate(int fd, off_t size) = 0;
    virtual int fstat(int fd, struct stat* st) = 0;
    virtual int stat(const char* path, struct stat* st) = 0;
    virtual int unlink(const char* path) = 0;
    virtual int mkdir(const char* path, mode_t mode) = 0;
    virtual int flock(int fd, int operation) = 0;
    // The names in `dir`, without "." and "..".
    virtual bool list(const char* dir, std::vector<std::string>& names) = 0;
    virtual int statvfs(const char* path, struct statvfs* st) = 0;  // free space: f_bavail * f_frsize
    // Allocates blocks for [offset, offset + length) without changing the size (FALLOC_FL_KEEP_SIZE).
    virtual int fallocate(int fd, off_t offset, off_t length) = 0;
};

// The real one: the system calls themselves.
FileSystem& posix_file_system();

}  // namespace sluice::fileq
