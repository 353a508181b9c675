// SPDX-License-Identifier: AGPL-3.0-or-later
#include "hash_cache.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "cache_record.hpp"

namespace sluice::dedup {
namespace {

namespace fs = std::filesystem;

// Below this many records a file is never compacted: rewriting it would cost more than it saves.
constexpr size_t kCompactMinRecords = 1024;

std::runtime_error io_error(const fs::path& file, std::string_view what) {
    return std::runtime_error("deduplicator cache " + file.string() + ": " + std::string(what) + ": " +
                              std::strerror(errno));
}

bool live(int64_t expiry_ms, int64_t now_ms) { return expiry_ms == kNeverExpires || expiry_ms > now_ms; }

void write_all(int fd, std::string_view bytes, const fs::path& file) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw io_error(file, "cannot write");
        }
        bytes.remove_prefix(static_cast<size_t>(n));
    }
}

void sync_folder(const fs::path& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;  // best effort: the file itself is synced
    (void)::fsync(fd);
    ::close(fd);
}

}  // namespace

HashCache::HashCache(fs::path file, int64_t now_ms) : file_(std::move(file)) {
    std::error_code ec;
    if (file_.has_parent_path()) fs::create_directories(file_.parent_path(), ec);
    if (ec)
        throw std::runtime_error("deduplicator cache " + file_.string() +
                                 ": cannot create its folder: " + ec.message());
    const fs::path lock = file_.string() + ".lock";
    lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) throw io_error(lock, "cannot open the lock file");
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        ::close(lock_fd_);
        throw std::runtime_error("deduplicator cache " + file_.string() +
                                 " is in use by another running deduplicator; give each one its own cache_path");
    }
    try {
        load(now_ms);
    } catch (...) {
        if (fd_ >= 0) ::close(fd_);
        ::close(lock_fd_);
        throw;
    }
}

HashCache::~HashCache() {
    if (fd_ >= 0) ::close(fd_);
    if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

void HashCache::load(int64_t now_ms) {
    bool clean = true;  // the file can be appended to as it is
    size_t stale = 0;
    if (fs::exists(file_)) {
        std::ifstream in(file_, std::ios::binary);
        if (!in) throw io_error(file_, "cannot read");
        std::ostringstream ss;
        ss << in.rdbuf();
        const std::string text = ss.str();
        if (!text.empty() && !text.starts_with(kCacheHeader))
            throw std::runtime_error("deduplicator cache " + file_.string() +
                                     ": not a cache file (it does not start with \"" +
                                     std::string(kCacheHeader.substr(0, kCacheHeader.size() - 1)) +
                                     "\"); point cache_path at a file of its own");
        clean = !text.empty();
        for (size_t pos = std::min(text.size(), kCacheHeader.size()); pos < text.size();) {
            const size_t nl = text.find('\n', pos);
            if (nl == std::string::npos) {  // a write torn by a crash
                clean = false;
                break;
            }
            std::string_view key;
            int64_t expiry = 0;
            if (parse_record(std::string_view(text).substr(pos, nl - pos), key, expiry)) {
                ++file_records_;
                entries_.set(key, expiry);
            } else {
                ++stale;
                clean = false;
            }
            pos = nl + 1;
        }
    }
    sweep(now_ms);
    stale += file_records_ - entries_.size();
    if (!clean || (file_records_ >= kCompactMinRecords && stale > entries_.size())) {
        rewrite();
    } else {
        open_for_append();
    }
    check_at_ = std::max(kCompactMinRecords, 2 * file_records_);
}

bool HashCache::contains(std::string_view key, int64_t now_ms) const {
    const int64_t* expiry = entries_.find(key);
    return expiry && live(*expiry, now_ms);
}

void HashCache::insert(std::string_view key, int64_t expiry_ms) {
    entries_.set(key, expiry_ms);
    append_record(pending_, key, expiry_ms);
    ++pending_records_;
    ++file_records_;
}

void HashCache::flush(int64_t now_ms, bool sync) {
    try {
        if (needs_rewrite_) {  // an earlier append failed part-way: the file may end in a torn record
            rewrite();
            needs_rewrite_ = false;
        } else if (!pending_.empty()) {
            append(pending_, sync);
        }
    } catch (...) {
        // The batch is not acknowledged and comes again: forget its hashes, or its events would
        // be dropped as duplicates of themselves. (Each was inserted only when not live before.)
        // The keys are the records' first words in pending_.
        for (std::string_view rest = pending_; !rest.empty();) {
            const size_t nl = rest.find('\n');
            std::string_view key;
            int64_t expiry = 0;
            if (parse_record(rest.substr(0, nl), key, expiry)) entries_.erase(key);
            rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        }
        file_records_ -= std::min(file_records_, pending_records_);
        pending_.clear();
        pending_records_ = 0;
        needs_rewrite_ = true;
        throw;
    }
    pending_.clear();
    pending_records_ = 0;
    if (file_records_ < check_at_) return;
    sweep(now_ms);
    if (entries_.size() * 2 < file_records_) {
        // Compaction only saves space: the records are in the file already, so a failure must not
        // fail the flush.
        try {
            rewrite();
        } catch (const std::exception& e) {
            warning_ = std::string("compaction failed, the file keeps its expired records: ") + e.what();
        }
    }
    check_at_ = std::max(kCompactMinRecords, 2 * file_records_);
}

void HashCache::sweep(int64_t now_ms) {
    entries_.erase_if([now_ms](int64_t expiry) { return !live(expiry, now_ms); });
}

void HashCache::rewrite() {
    std::string text(kCacheHeader);
    entries_.for_each([&text](std::string_view key, int64_t expiry) { append_record(text, key, expiry); });
    const fs::path tmp = file_.string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw io_error(tmp, "cannot create");
    try {
        write_all(fd, text, tmp);
        if (::fsync(fd) != 0) throw io_error(tmp, "cannot fsync");
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    if (::rename(tmp.c_str(), file_.c_str()) != 0) throw io_error(file_, "cannot replace with the compacted copy");
    sync_folder(file_.has_parent_path() ? file_.parent_path() : fs::path("."));
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    file_records_ = entries_.size();
    open_for_append();
}

void HashCache::open_for_append() {
    if (fd_ >= 0) return;
    fd_ = ::open(file_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw io_error(file_, "cannot open for appending");
    if (::lseek(fd_, 0, SEEK_END) == 0) {  // a new file: write its header first
        write_all(fd_, kCacheHeader, file_);
        if (::fdatasync(fd_) != 0) throw io_error(file_, "cannot fdatasync");
        sync_folder(file_.has_parent_path() ? file_.parent_path() : fs::path("."));
    }
}

void HashCache::append(std::string_view bytes, bool sync) {
    write_all(fd_, bytes, file_);
    if (sync && ::fdatasync(fd_) != 0) throw io_error(file_, "cannot fdatasync");
}

}  // namespace sluice::dedup
