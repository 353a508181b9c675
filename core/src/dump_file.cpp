// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/dump_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "sluice/core/clock.hpp"
#include "sluice/core/message.hpp"
#include "sluice/core/utf8.hpp"

namespace sluice {
namespace {

[[noreturn]] void io_error(const std::filesystem::path& p, const char* what) {
    throw std::runtime_error(p.string() + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

DumpFile::~DumpFile() {
    if (fd_ >= 0) ::close(fd_);
}

void DumpFile::open() {
    std::filesystem::create_directories(file_.parent_path());
    // Read-write, not write-only: the repair below reads the last byte, and a pread on an O_WRONLY
    // descriptor fails (EBADF), which left a torn line unrepaired and glued the next entry to it.
    fd_ = ::open(file_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) io_error(file_, "cannot open dump file");
    // A crash in the middle of an earlier write leaves a line without its newline: end it, so the
    // next entry starts on a line of its own and the damage stays in that one line.
    const off_t size = ::lseek(fd_, 0, SEEK_END);
    if (size > 0) {
        char last = '\n';
        if (::pread(fd_, &last, 1, size - 1) != 1) io_error(file_, "cannot read the end of dump file");
        if (last != '\n') buffer_.insert(0, "\n");
    }
}

void DumpFile::add(std::string_view bot, std::string_view source_queue, std::string_view reason,
                   std::string_view message, bool message_is_json) {
    buffer_ += "{\"time\":";
    append_json_string(buffer_, utc_now_iso());
    buffer_ += ",\"bot_id\":";
    append_json_string(buffer_, bot);
    buffer_ += ",\"source_queue\":";
    append_json_string(buffer_, source_queue);
    buffer_ += ",\"reason\":";
    // The message is kept whole; its reason only quotes (a reason holding a 10 MB value is cut).
    constexpr size_t kMaxReason = 4096;
    append_json_string(buffer_, reason.size() > kMaxReason ? quote_prefix(reason, kMaxReason) : std::string(reason));
    buffer_ += ",\"message\":";
    if (message_is_json)
        buffer_ += message;
    else
        append_json_string(buffer_, message);
    buffer_ += "}\n";
}

void DumpFile::commit() {
    if (buffer_.empty()) return;
    // `sluicectl dump replay|delete` replaces the file (temporary file + rename) while holding
    // <dump>.lock. Appending under the same lock, and reopening when the file was replaced, means
    // an entry never goes to the old, unlinked file.
    std::filesystem::create_directories(file_.parent_path());
    const std::string lock_path = file_.string() + ".lock";
    const int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock < 0) io_error(lock_path, "cannot open dump lock");
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }  // closing drops the flock
    } closer{lock};
    while (::flock(lock, LOCK_EX) != 0)
        if (errno != EINTR) io_error(lock_path, "cannot lock dump file");
    if (fd_ >= 0) {
        struct stat open_file {
        }, on_disk{};
        if (::fstat(fd_, &open_file) != 0 || ::stat(file_.c_str(), &on_disk) != 0 ||
            open_file.st_ino != on_disk.st_ino || open_file.st_dev != on_disk.st_dev) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    if (fd_ < 0) open();
    size_t done = 0;
    while (done < buffer_.size()) {
        const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            io_error(file_, "cannot write dump file");
        }
        done += static_cast<size_t>(n);
    }
    if (::fdatasync(fd_) != 0) io_error(file_, "cannot sync dump file");
    buffer_.clear();
}

}  // namespace sluice
