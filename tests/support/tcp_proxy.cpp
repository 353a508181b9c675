// SPDX-License-Identifier: AGPL-3.0-or-later
#include "tcp_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice::test {
namespace {

sockaddr_in loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

// Copies what `from` has to `to`; false when either side is gone.
bool forward(int from, int to) {
    char buffer[65536];
    const ssize_t n = ::read(from, buffer, sizeof buffer);
    if (n <= 0) return false;
    for (ssize_t done = 0; done < n;) {
        const ssize_t w = ::write(to, buffer + done, static_cast<size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        done += w;
    }
    return true;
}

struct Pair {
    int client = -1, server = -1;
};

void close_pair(Pair& p) {
    ::close(p.client);
    ::close(p.server);
}

}  // namespace

TcpProxy::TcpProxy(int target_port) : target_port_(target_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback(0);
    socklen_t len = sizeof a;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listen_fd_, 16) != 0 || ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0 ||
        ::pipe2(wake_pipe_, O_CLOEXEC) != 0) {
        const std::string why = strerror(errno);
        for (int fd : {listen_fd_, wake_pipe_[0], wake_pipe_[1]})
            if (fd >= 0) ::close(fd);
        throw std::runtime_error("tcp proxy: cannot listen on loopback: " + why);
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
}

TcpProxy::~TcpProxy() {
    stop_ = true;
    wake();
    thread_.join();
    ::close(listen_fd_);
    ::close(wake_pipe_[0]);
    ::close(wake_pipe_[1]);
}

void TcpProxy::hold_replies(bool hold) {
    hold_ = hold;
    wake();
}

void TcpProxy::cut() {
    cut_ = true;
    wake();
    while (cut_) std::this_thread::yield();  // done once the loop has closed them
}

void TcpProxy::wake() { (void)!::write(wake_pipe_[1], "x", 1); }

void TcpProxy::run() {
    std::vector<Pair> pairs;
    while (!stop_) {
        if (cut_) {
            for (Pair& p : pairs) close_pair(p);
            pairs.clear();
            cut_ = false;
        }
        std::vector<pollfd> fds{{wake_pipe_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
        for (const Pair& p : pairs) {
            fds.push_back({p.client, POLLIN, 0});
            fds.push_back({p.server, static_cast<short>(hold_ ? 0 : POLLIN), 0});
        }
        if (::poll(fds.data(), fds.size(), 1000) < 0) continue;
        if (fds[0].revents & POLLIN) {
            char drain[64];
            (void)!::read(wake_pipe_[0], drain, sizeof drain);
        }
        // Backwards, so that erasing a pair leaves the indexes of those still to look at alone.
        for (size_t i = pairs.size(); i-- > 0;) {
            const pollfd& c = fds[2 + 2 * i];
            const pollfd& s = fds[3 + 2 * i];
            const bool ok = (!(c.revents & (POLLIN | POLLHUP | POLLERR)) || forward(c.fd, s.fd)) &&
                            (!(s.revents & (POLLIN | POLLHUP | POLLERR)) || forward(s.fd, c.fd));
            if (!ok) {
                close_pair(pairs[i]);
                pairs.erase(pairs.begin() + static_cast<std::ptrdiff_t>(i));
            }
        }
        // Only now, after the pairs polled above: a pair accepted before that loop would be read
        // at an index past `fds`, with whatever an earlier poll left there (seen: a stale entry
        // whose error closed every new connection, so a client could never connect again).
        if (fds[1].revents & POLLIN) {
            Pair p;
            p.client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            p.server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            const sockaddr_in target = loopback(target_port_);
            if (p.client >= 0 && p.server >= 0 &&
                ::connect(p.server, reinterpret_cast<const sockaddr*>(&target), sizeof target) == 0)
                pairs.push_back(p);
            else
                close_pair(p);
        }
    }
    for (Pair& p : pairs) close_pair(p);
}

}  // namespace sluice::test
