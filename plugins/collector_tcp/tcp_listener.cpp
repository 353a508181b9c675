// SPDX-License-Identifier: AGPL-3.0-or-later
#include "tcp_listener.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace sluice::collector_tcp {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr int kSendTimeoutMs = 5000;

std::string name_of(const sockaddr_storage& addr) {
    char host[NI_MAXHOST] = "?", port[NI_MAXSERV] = "?";
    ::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), sizeof addr, host, sizeof host, port, sizeof port,
                  NI_NUMERICHOST | NI_NUMERICSERV);
    return std::string(host) + ":" + port;
}

}  // namespace

TcpListener::TcpListener(const std::string& ip, int port) : address_(ip + ":" + std::to_string(port)) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(ip.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
        throw std::runtime_error("cannot resolve " + address_ + ": " + ::gai_strerror(rc));
    const addrinfo& a = *found;
    listen_fd_ = bot_fd::UniqueFd(::socket(a.ai_family, a.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a.ai_protocol));
    const int one = 1;
    const bool ok = listen_fd_ && ::setsockopt(listen_fd_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
                    ::bind(listen_fd_.get(), a.ai_addr, a.ai_addrlen) == 0 && ::listen(listen_fd_.get(), 64) == 0;
    const int err = errno;
    ::freeaddrinfo(found);
    if (!ok) throw std::runtime_error("cannot listen on " + address_ + ": " + std::strerror(err));
}

void TcpListener::accept_all() {
    for (;;) {
        sockaddr_storage addr{};
        socklen_t len = sizeof addr;
        const int fd =
            ::accept4(listen_fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) return;  // EAGAIN: no more waiting; other errors: try again next time
        auto peer = std::make_unique<Peer>();
        peer->fd = bot_fd::UniqueFd(fd);
        peer->name = name_of(addr);
        peers_.push_back(std::move(peer));
    }
}

bool TcpListener::read_available(Peer& peer) {
    bool got = false;
    for (;;) {
        const size_t before = peer.buffer.size();
        peer.buffer.resize(before + kReadChunk);
        const ssize_t n = ::recv(peer.fd.get(), peer.buffer.data() + before, kReadChunk, 0);
        peer.buffer.resize(before + (n > 0 ? static_cast<size_t>(n) : 0));
        if (n > 0) {
            got = true;
            if (static_cast<size_t>(n) < kReadChunk) return got;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) peer.closed = true;
        return got;
    }
}

bool TcpListener::poll_once(int timeout_ms) {
    std::vector<pollfd> fds{{listen_fd_.get(), POLLIN, 0}};
    for (const auto& p : peers_) fds.push_back({p->closed ? -1 : p->fd.get(), POLLIN, 0});
    if (::poll(fds.data(), fds.size(), timeout_ms) <= 0) return false;
    if (fds[0].revents & POLLIN) accept_all();
    bool got = false;
    for (size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) got = read_available(*peers_[i - 1]) || got;
    }
    return got;
}

void TcpListener::send(Peer& peer, std::string_view data) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kSendTimeoutMs);
    while (!data.empty() && !peer.closed) {
        const ssize_t n = ::send(peer.fd.get(), data.data(), data.size(), MSG_NOSIGNAL);
        if (n >= 0) {
            data.remove_prefix(static_cast<size_t>(n));
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            pollfd p{peer.fd.get(), POLLOUT, 0};
            if (std::chrono::steady_clock::now() >= deadline || ::poll(&p, 1, 100) < 0) peer.closed = true;
        } else if (errno != EINTR) {
            peer.closed = true;
        }
    }
}

void TcpListener::drop_closed() {
    peers_.erase(std::remove_if(peers_.begin(), peers_.end(), [](const auto& p) { return p->closed; }), peers_.end());
}

}  // namespace sluice::collector_tcp
