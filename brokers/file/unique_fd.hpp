// SPDX-License-Identifier: AGPL-3.0-or-later
// Owns a file descriptor of a FileSystem. Closing it also drops any flock() held through it, which
// is how the consumer's lock lives exactly as long as the consumer.
#pragma once

#include <utility>

#include "sluice/brokers/file_system.hpp"

namespace sluice::fileq {

class UniqueFd {
 public:
    UniqueFd() = default;
    UniqueFd(FileSystem& fs, int fd) : fs_(&fs), fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fs_(other.fs_), fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) {
            reset();
            fs_ = other.fs_;
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    // close() errors are ignored: every byte that must be durable was fdatasync'ed before.
    void reset() {
        if (fd_ >= 0) fs_->close(fd_);
        fd_ = -1;
    }

 private:
    FileSystem* fs_ = nullptr;
    int fd_ = -1;
};

}  // namespace sluice::fileq
