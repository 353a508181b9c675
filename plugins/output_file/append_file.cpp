// SPDX-License-Identifier: AGPL-3.0-or-later
#include "append_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace sluice::output_file {
namespace {

[[noreturn]] void fail(int err, const std::string& what, const fs::path& path) {
    throw std::system_error(err, std::generic_category(), what + " " + path.string());
}

void fsync_dir(const fs::path& dir) {
    bot_fd::UniqueFd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd || ::fsync(fd.get()) != 0) fail(errno, "cannot sync folder", dir);
}

}  // namespace

AppendFile::AppendFile(fs::path path) : path_(std::move(path)) { open(); }

void AppendFile::open() {
    const fs::path dir = path_.parent_path();
    // The folders that do not exist yet: each new one's entry must be synced in its parent.
    std::vector<fs::path> created;
    for (fs::path p = dir; !p.empty() && !fs::exists(p); p = p.parent_path()) {
        created.push_back(p);
        if (p == p.parent_path()) break;
    }
    std::error_code ec;
    if (!dir.empty()) fs::create_directories(dir, ec);
    if (ec) fail(ec.value(), "cannot create the folder of", path_);

    int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
    bool new_file = false;
    if (fd < 0 && errno == ENOENT) {
        fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
        new_file = true;
    }
    if (fd < 0) fail(errno, "cannot open", path_);
    fd_ = bot_fd::UniqueFd(fd);
    if (new_file) {
        if (::fsync(fd_.get()) != 0) fail(errno, "cannot sync", path_);
        fsync_dir(dir);
        for (const fs::path& p : created) fsync_dir(p.parent_path());
    }
}

void AppendFile::reopen_if_replaced() {
    struct stat now {
    }, open_file{};
    if (::fstat(fd_.get(), &open_file) != 0) fail(errno, "cannot stat", path_);
    if (::stat(path_.c_str(), &now) == 0 && now.st_dev == open_file.st_dev && now.st_ino == open_file.st_ino) return;
    sync();  // what went to the old file stays there, durable
    open();
}

void AppendFile::append(std::string_view data) {
    if (data.empty()) return;
    reopen_if_replaced();
    const off_t before = ::lseek(fd_.get(), 0, SEEK_END);
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd_.get(), data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            // No torn line left behind; if even that fails, the error below is what matters.
            if (before >= 0 && ::ftruncate(fd_.get(), before) != 0) errno = err;
            fail(err, "cannot write to", path_);
        }
        done += static_cast<size_t>(n);
    }
    unsynced_ = true;
}

void AppendFile::sync() {
    if (!unsynced_) return;
    if (::fdatasync(fd_.get()) != 0) fail(errno, "cannot sync", path_);
    unsynced_ = false;
}

}  // namespace sluice::output_file
