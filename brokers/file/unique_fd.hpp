// SPDX-License-Identifier: AGPL-3.0-or-later
// Owns a file descriptor. Closing it also drops any flock() held through it, which is how the
// consumer's lock lives exactly as long as the consumer.
#pragma once

#include <unistd.h>

#include <utility>

namespace sluice::fileq {

class UniqueFd {
 public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) reset(std::exchange(other.fd_, -1));
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    // close() errors are ignored: every byte that must be durable was fdatasync'ed before.
    void reset(int fd = -1) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

 private:
    int fd_ = -1;
};

}  // namespace sluice::fileq
