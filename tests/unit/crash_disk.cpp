// SPDX-License-Identifier: AGPL-3.0-or-later
#include "crash_disk.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <set>
#include <stdexcept>

namespace sluice::test {

namespace {

std::string normal(const char* path) {
    std::string out = std::filesystem::path(path).lexically_normal().string();
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    return out;
}

std::string parent_of(const std::string& path) { return std::filesystem::path(path).parent_path().string(); }

void write_at(std::string& content, uint64_t offset, std::string_view bytes) {
    if (content.size() < offset + bytes.size()) content.resize(offset + bytes.size(), '\0');
    content.replace(offset, bytes.size(), bytes);
}

void apply(std::string& content, const CrashDisk::Change& change) {
    if (change.truncate) {
        content.resize(change.offset, '\0');
    } else {
        write_at(content, change.offset, change.bytes);
    }
}

// A write torn by the power cut: each sector it covers reached the disk, did not, or came out as
// garbage (a sector half written when the power went).
void apply_torn(std::string& content, const CrashDisk::Change& change, std::mt19937_64& rng) {
    const uint64_t end = change.offset + change.bytes.size();
    for (uint64_t at = change.offset; at < end;) {
        const uint64_t sector_end = std::min(end, (at / CrashDisk::kSectorBytes + 1) * CrashDisk::kSectorBytes);
        std::string piece = change.bytes.substr(at - change.offset, sector_end - at);
        switch (rng() % 3) {
            case 0:
                break;  // lost
            case 1:
                write_at(content, at, piece);
                break;
            default:
                for (char& c : piece) c = static_cast<char>(rng());
                write_at(content, at, piece);
        }
        at = sector_end;
    }
}

bool keeps(CrashDisk::PowerCut cut, std::mt19937_64& rng) {
    if (cut == CrashDisk::PowerCut::lose_unsynced) return false;
    if (cut == CrashDisk::PowerCut::keep_unsynced) return true;
    return rng() % 2 == 0;
}

std::string after_cut(const CrashDisk::Inode& inode, CrashDisk::PowerCut cut, std::mt19937_64& rng) {
    std::string content = inode.durable;
    for (const CrashDisk::Change& change : inode.pending) {
        if (cut == CrashDisk::PowerCut::scramble && !change.truncate && rng() % 4 == 0) {
            apply_torn(content, change, rng);
        } else if (keeps(cut, rng)) {
            apply(content, change);
        }
    }
    return content;
}

int fail(int error) {
    errno = error;
    return -1;
}

}  // namespace

CrashDisk::CrashDisk() {
    state_.inodes[1].directory = true;
    state_.entries["/"] = 1;
    state_.durable_entries["/"] = 1;
}

std::unique_ptr<CrashDisk> CrashDisk::after_power_cut(const Image& image, PowerCut cut, std::mt19937_64& rng) {
    auto disk = std::make_unique<CrashDisk>();
    Image& out = disk->state_;
    out.next_inode = image.next_inode;
    out.entries = image.durable_entries;
    for (const auto& [dir, changes] : image.pending_entries) {
        for (const DirChange& change : changes) {
            if (!keeps(cut, rng)) continue;
            if (change.inode) {
                out.entries[change.path] = *change.inode;
            } else {
                out.entries.erase(change.path);
            }
        }
    }
    // An entry whose directory did not survive is unreachable.
    for (bool removed = true; removed;) {
        removed = false;
        for (auto it = out.entries.begin(); it != out.entries.end();) {
            if (it->first != "/" && !out.entries.count(parent_of(it->first))) {
                it = out.entries.erase(it);
                removed = true;
            } else {
                ++it;
            }
        }
    }
    out.durable_entries = out.entries;
    for (const auto& [path, number] : out.entries) {
        if (out.inodes.count(number)) continue;  // a second name of the same file
        const Inode& before = image.inodes.at(number);
        Inode& after = out.inodes[number];
        after.directory = before.directory;
        after.durable = after.current = after_cut(before, cut, rng);
    }
    return disk;
}

uint64_t CrashDisk::used_bytes() const {
    // A removed file holds its blocks while it is open; the durable state keeps it for a power cut
    // that would bring the name back, but that is not space in use.
    std::set<uint64_t> live;
    for (const auto& [path, number] : state_.entries) live.insert(number);
    for (const auto& [fd, file] : open_) live.insert(file.inode);
    uint64_t total = 0;
    for (uint64_t number : live) {
        const Inode& inode = state_.inodes.at(number);
        total += std::max<uint64_t>(inode.current.size(), inode.allocated);
    }
    return total;
}

CrashDisk::Inode* CrashDisk::inode_of_fd(int fd) {
    const auto it = open_.find(fd);
    if (it == open_.end()) return nullptr;
    return &state_.inodes.at(it->second.inode);
}

uint64_t CrashDisk::add_entry(const std::string& path, bool directory) {
    changing();
    const uint64_t number = state_.next_inode++;
    state_.inodes[number].directory = directory;
    state_.entries[path] = number;
    state_.pending_entries[parent_of(path)].push_back({path, number});
    return number;
}

void CrashDisk::fill_stat(uint64_t number, struct stat* st) const {
    const Inode& inode = state_.inodes.at(number);
    *st = {};
    st->st_ino = number;
    st->st_size = static_cast<off_t>(inode.current.size());
    st->st_mode = inode.directory ? (S_IFDIR | 0755) : (S_IFREG | 0644);
    st->st_nlink = 1;
}

int CrashDisk::open(const char* raw_path, int flags, mode_t) {
    const std::string path = normal(raw_path);
    auto it = state_.entries.find(path);
    uint64_t number = 0;
    if (it == state_.entries.end()) {
        if (!(flags & O_CREAT)) return fail(ENOENT);
        const auto parent = state_.entries.find(parent_of(path));
        if (parent == state_.entries.end() || !state_.inodes.at(parent->second).directory) return fail(ENOENT);
        number = add_entry(path, /*directory=*/false);
    } else {
        if ((flags & O_CREAT) && (flags & O_EXCL)) return fail(EEXIST);
        number = it->second;
        const bool directory = state_.inodes.at(number).directory;
        if ((flags & O_DIRECTORY) && !directory) return fail(ENOTDIR);
        if (directory && (flags & O_ACCMODE) != O_RDONLY) return fail(EISDIR);
        if ((flags & O_TRUNC) && !state_.inodes.at(number).current.empty()) {
            changing();
            Inode& inode = state_.inodes.at(number);
            inode.current.clear();
            inode.pending.push_back({true, 0, {}});
        }
    }
    const int fd = next_fd_++;
    open_[fd] = {number, path};
    return fd;
}

int CrashDisk::close(int fd) {
    const auto it = open_.find(fd);
    if (it == open_.end()) return fail(EBADF);
    const auto lock = locks_.find(it->second.inode);
    if (lock != locks_.end() && lock->second == fd) locks_.erase(lock);
    open_.erase(it);
    return 0;
}

ssize_t CrashDisk::pread(int fd, void* dst, size_t size, off_t offset) {
    Inode* inode = inode_of_fd(fd);
    if (inode == nullptr) return fail(EBADF);
    if (inode->directory) return fail(EISDIR);
    const auto at = static_cast<uint64_t>(offset);
    if (at >= inode->current.size()) return 0;
    const size_t n = std::min<size_t>(size, inode->current.size() - at);
    std::copy_n(inode->current.data() + at, n, static_cast<char*>(dst));
    return static_cast<ssize_t>(n);
}

ssize_t CrashDisk::pwritev(int fd, const iovec* pieces, int count, off_t offset) {
    Inode* inode = inode_of_fd(fd);
    if (inode == nullptr) return fail(EBADF);
    std::string bytes;
    for (int i = 0; i < count; ++i) bytes.append(static_cast<const char*>(pieces[i].iov_base), pieces[i].iov_len);
    const auto at = static_cast<uint64_t>(offset);
    const uint64_t held = std::max<uint64_t>(inode->current.size(), inode->allocated);
    const uint64_t growth = at + bytes.size() > held ? at + bytes.size() - held : 0;
    if (growth > 0 && used_bytes() + growth > capacity) return fail(ENOSPC);
    changing();
    write_at(inode->current, at, bytes);
    inode->pending.push_back({false, at, std::move(bytes)});
    return static_cast<ssize_t>(inode->pending.back().bytes.size());
}

int CrashDisk::fdatasync(int fd) {
    const auto it = open_.find(fd);
    if (it == open_.end()) return fail(EBADF);
    Inode& inode = state_.inodes.at(it->second.inode);
    if (inode.directory) {
        const auto pending = state_.pending_entries.find(it->second.path);
        if (pending == state_.pending_entries.end() || pending->second.empty()) return 0;
        changing();
        for (const DirChange& change : pending->second) {
            if (change.inode) {
                state_.durable_entries[change.path] = *change.inode;
            } else {
                state_.durable_entries.erase(change.path);
            }
        }
        pending->second.clear();
        return 0;
    }
    if (inode.pending.empty()) return 0;
    changing();
    inode.durable = inode.current;
    inode.pending.clear();
    return 0;
}

// For the queue the two differ only in metadata this model does not keep.
int CrashDisk::fsync(int fd) { return fdatasync(fd); }

int CrashDisk::ftruncate(int fd, off_t size) {
    Inode* inode = inode_of_fd(fd);
    if (inode == nullptr) return fail(EBADF);
    if (inode->directory) return fail(EISDIR);
    changing();
    inode->current.resize(static_cast<size_t>(size), '\0');
    inode->allocated = std::min<uint64_t>(inode->allocated, static_cast<uint64_t>(size));
    inode->pending.push_back({true, static_cast<uint64_t>(size), {}});
    return 0;
}

int CrashDisk::fstat(int fd, struct stat* st) {
    const auto it = open_.find(fd);
    if (it == open_.end()) return fail(EBADF);
    fill_stat(it->second.inode, st);
    return 0;
}

int CrashDisk::stat(const char* path, struct stat* st) {
    const auto it = state_.entries.find(normal(path));
    if (it == state_.entries.end()) return fail(ENOENT);
    fill_stat(it->second, st);
    return 0;
}

int CrashDisk::unlink(const char* raw_path) {
    const std::string path = normal(raw_path);
    const auto it = state_.entries.find(path);
    if (it == state_.entries.end()) return fail(ENOENT);
    if (state_.inodes.at(it->second).directory) return fail(EISDIR);
    changing();
    state_.entries.erase(path);
    state_.pending_entries[parent_of(path)].push_back({path, std::nullopt});
    return 0;
}

int CrashDisk::mkdir(const char* raw_path, mode_t) {
    const std::string path = normal(raw_path);
    if (state_.entries.count(path)) return fail(EEXIST);
    const auto parent = state_.entries.find(parent_of(path));
    if (parent == state_.entries.end()) return fail(ENOENT);
    add_entry(path, /*directory=*/true);
    return 0;
}

int CrashDisk::flock(int fd, int operation) {
    const auto it = open_.find(fd);
    if (it == open_.end()) return fail(EBADF);
    const uint64_t number = it->second.inode;
    if (operation & LOCK_UN) {
        const auto lock = locks_.find(number);
        if (lock != locks_.end() && lock->second == fd) locks_.erase(lock);
        return 0;
    }
    const auto lock = locks_.find(number);
    if (lock == locks_.end() || lock->second == fd) {
        locks_[number] = fd;
        return 0;
    }
    if (operation & LOCK_NB) return fail(EWOULDBLOCK);
    // The test drives producers and consumer from one thread: waiting here would never end.
    throw std::logic_error("CrashDisk: a blocking flock on " + it->second.path + " held by another descriptor");
}

int CrashDisk::statvfs(const char* path, struct statvfs* st) {
    if (!state_.entries.count(normal(path))) return fail(ENOENT);
    *st = {};
    const uint64_t size = capacity == UINT64_MAX ? uint64_t{1} << 50 : capacity;
    const uint64_t used = used_bytes();
    st->f_bsize = st->f_frsize = 1;
    st->f_blocks = size;
    st->f_bfree = st->f_bavail = used < size ? size - used : 0;
    return 0;
}

// Only the space is modelled: blocks allocated past the end survive nothing but this process.
int CrashDisk::fallocate(int fd, off_t offset, off_t length) {
    Inode* inode = inode_of_fd(fd);
    if (inode == nullptr) return fail(EBADF);
    const uint64_t end = static_cast<uint64_t>(offset + length);
    const uint64_t held = std::max<uint64_t>(inode->current.size(), inode->allocated);
    if (end > held && used_bytes() + (end - held) > capacity) return fail(ENOSPC);
    inode->allocated = std::max(inode->allocated, end);
    return 0;
}

bool CrashDisk::list(const char* raw_dir, std::vector<std::string>& names) {
    const std::string dir = normal(raw_dir);
    const auto it = state_.entries.find(dir);
    if (it == state_.entries.end()) return fail(ENOENT), false;
    if (!state_.inodes.at(it->second).directory) return fail(ENOTDIR), false;
    for (const auto& [path, number] : state_.entries) {
        if (path != "/" && parent_of(path) == dir) names.push_back(std::filesystem::path(path).filename().string());
    }
    return true;
}

}  // namespace sluice::test
