// SPDX-License-Identifier: AGPL-3.0-or-later
//
// A listening TCP socket and the connections it accepted, driven by poll from the collector's own
// thread: no background thread, so nothing is received while the host is not in collect(), and
// what arrived waits in the kernel (senders see back-pressure, not loss).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "unique_fd.hpp"

namespace sluice::collector_tcp {

struct Peer {
    bot_fd::UniqueFd fd;
    std::string name;     // "192.0.2.1:40000", for logs
    std::string buffer;   // received, not yet taken apart
    size_t unacked = 0;   // messages taken from this peer and not yet acknowledged
    bool closed = false;  // end of stream or an error: nothing more comes
};

class TcpListener {
 public:
    // Binds and listens; throws std::runtime_error naming ip:port.
    TcpListener(const std::string& ip, int port);

    // Waits up to timeout_ms for something to happen, accepts new connections and appends what
    // arrived to each peer's buffer. Returns whether any bytes arrived.
    bool poll_once(int timeout_ms);

    std::vector<std::unique_ptr<Peer>>& peers() { return peers_; }
    // Sends all of `data` within a short time; marks the peer closed when that fails.
    void send(Peer& peer, std::string_view data);
    // Forgets closed peers.
    void drop_closed();

    std::string address() const { return address_; }

 private:
    void accept_all();
    bool read_available(Peer& peer);

    bot_fd::UniqueFd listen_fd_;
    std::string address_;
    std::vector<std::unique_ptr<Peer>> peers_;
};

}  // namespace sluice::collector_tcp
