// SPDX-License-Identifier: AGPL-3.0-or-later
#include "tcp_client.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace sluice::output_tcp {
namespace {

struct AddrInfoDeleter {
    void operator()(addrinfo* a) const noexcept { freeaddrinfo(a); }
};

}  // namespace

TcpClient::TcpClient(std::string host, int port, double timeout_seconds)
    : host_(std::move(host)), port_(port), timeout_ms_(static_cast<int>(timeout_seconds * 1000)) {}

void TcpClient::connect() {
    fd_.reset();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(host_.c_str(), std::to_string(port_).c_str(), &hints, &found); rc != 0)
        throw std::runtime_error("cannot resolve " + peer() + ": " + ::gai_strerror(rc));
    std::unique_ptr<addrinfo, AddrInfoDeleter> list(found);
    std::string why = "no address";
    for (const addrinfo* a = list.get(); a; a = a->ai_next) {
        bot_fd::UniqueFd fd(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol));
        if (!fd) continue;
        fd_ = std::move(fd);
        if (::connect(fd_.get(), a->ai_addr, a->ai_addrlen) == 0) break;
        if (errno == EINPROGRESS) {
            try {
                wait_for(POLLOUT);
                int err = 0;
                socklen_t len = sizeof err;
                ::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len);
                if (err == 0) break;
                why = std::strerror(err);
            } catch (const std::exception& e) {
                why = e.what();
            }
        } else {
            why = std::strerror(errno);
        }
        fd_.reset();
    }
    if (!fd_) throw std::runtime_error("cannot connect to " + peer() + ": " + why);
    const int one = 1;
    ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void TcpClient::wait_for(short events) {
    pollfd p{fd_.get(), events, 0};
    for (;;) {
        const int n = ::poll(&p, 1, timeout_ms_);
        if (n > 0) return;
        if (n == 0)
            throw std::runtime_error("no progress with " + peer() + " for " + std::to_string(timeout_ms_) + " ms");
        if (errno != EINTR) throw std::runtime_error("poll failed for " + peer() + ": " + std::strerror(errno));
    }
}

void TcpClient::send_all(std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
        if (n >= 0) {
            data.remove_prefix(static_cast<size_t>(n));
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            wait_for(POLLOUT);
        } else if (errno != EINTR) {
            throw std::runtime_error("cannot send to " + peer() + ": " + std::strerror(errno));
        }
    }
}

std::string TcpClient::receive_exact(size_t n) {
    std::string out(n, '\0');
    size_t done = 0;
    while (done < n) {
        const ssize_t got = ::recv(fd_.get(), out.data() + done, n - done, 0);
        if (got > 0) {
            done += static_cast<size_t>(got);
        } else if (got == 0) {
            throw std::runtime_error(peer() + " closed the connection");
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            wait_for(POLLIN);
        } else if (errno != EINTR) {
            throw std::runtime_error("cannot receive from " + peer() + ": " + std::strerror(errno));
        }
    }
    return out;
}

}  // namespace sluice::output_tcp
