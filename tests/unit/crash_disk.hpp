// SPDX-License-Identifier: AGPL-3.0-or-later
//
// A simulated disk for the file queue's power-loss test, in the spirit of SQLite's crash-test VFS.
// It holds files in memory and remembers, for each file, what has reached the platter (made durable
// by fdatasync/fsync) and the writes and truncations since; for each directory, the entries made
// durable by an fsync of the directory and the creations and removals since. An image() taken at
// any moment can be turned into what a power cut at that moment may have left behind: durable
// state kept, each later change kept, lost, or (for writes) torn at 512-byte sectors with the
// missing sectors left as they were or filled with garbage. The model is stricter than ext4 or XFS:
// nothing unsynced is ordered, and a new file's name needs an fsync of its directory.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "sluice/brokers/file_system.hpp"

namespace sluice::test {

class CrashDisk final : public fileq::FileSystem {
 public:
    static constexpr uint64_t kSectorBytes = 512;

    // What a power cut does with the changes that were not synced.
    enum class PowerCut {
        lose_unsynced,  // every unsynced change is lost
        keep_unsynced,  // every unsynced change survives (as after a kill of the process)
        scramble,       // each survives, is lost or is torn, at random
    };

    struct Change {
        bool truncate = false;  // else a write of `bytes` at `offset`
        uint64_t offset = 0;    // a truncation: the new size
        std::string bytes;
    };
    struct Inode {
        bool directory = false;
        std::string durable;
        std::string current;
        std::vector<Change> pending;  // since the last sync, oldest first
        uint64_t allocated = 0;       // blocks reserved by fallocate, counted against capacity
    };
    struct DirChange {
        std::string path;
        std::optional<uint64_t> inode;  // nullopt: removed
    };
    // The whole state, as the running system sees it and as the disk holds it.
    struct Image {
        std::map<uint64_t, Inode> inodes;
        std::map<std::string, uint64_t> entries;                        // path -> inode, what the system sees
        std::map<std::string, uint64_t> durable_entries;                // what the disk holds
        std::map<std::string, std::vector<DirChange>> pending_entries;  // per directory, since its fsync
        uint64_t next_inode = 2;
    };

    CrashDisk();  // an empty disk with "/"
    // The disk as it comes back after a power cut at the moment `image` was taken.
    static std::unique_ptr<CrashDisk> after_power_cut(const Image& image, PowerCut cut, std::mt19937_64& rng);

    const Image& image() const { return state_; }
    // Called before every operation that changes what the disk holds or may hold after a power cut:
    // the moments at which the test cuts the power.
    std::function<void()> before_change;
    // Writes and allocations that would make the files hold more than this many bytes in all fail
    // with ENOSPC; statvfs reports it as the size of the file system (one-byte blocks).
    uint64_t capacity = UINT64_MAX;
    uint64_t used_bytes() const;

    int open(const char* path, int flags, mode_t mode) override;
    int close(int fd) override;
    ssize_t pread(int fd, void* dst, size_t size, off_t offset) override;
    ssize_t pwritev(int fd, const iovec* pieces, int count, off_t offset) override;
    int fdatasync(int fd) override;
    int fsync(int fd) override;
    int ftruncate(int fd, off_t size) override;
    int fstat(int fd, struct stat* st) override;
    int stat(const char* path, struct stat* st) override;
    int unlink(const char* path) override;
    int mkdir(const char* path, mode_t mode) override;
    int flock(int fd, int operation) override;
    bool list(const char* dir, std::vector<std::string>& names) override;
    int statvfs(const char* path, struct statvfs* st) override;
    int fallocate(int fd, off_t offset, off_t length) override;

 private:
    struct OpenFile {
        uint64_t inode;
        std::string path;
    };

    void changing() const {
        if (before_change) before_change();
    }
    Inode* inode_of_fd(int fd);
    uint64_t add_entry(const std::string& path, bool directory);
    void fill_stat(uint64_t inode, struct stat* st) const;

    Image state_;
    std::map<int, OpenFile> open_;
    std::map<uint64_t, int> locks_;  // inode -> the descriptor holding its flock
    int next_fd_ = 3;
};

}  // namespace sluice::test
