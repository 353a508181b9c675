// SPDX-License-Identifier: AGPL-3.0-or-later
//
// A blocking TCP client connection with a time limit on every wait, so a receiver that stops
// reading or answering cannot hang the bot: each failure throws std::runtime_error naming the peer.
#pragma once

#include <string>
#include <string_view>

#include "unique_fd.hpp"

namespace sluice::output_tcp {

class TcpClient {
 public:
    TcpClient(std::string host, int port, double timeout_seconds);

    // Connects to the first address of host that accepts; throws naming host:port.
    void connect();
    bool connected() const { return static_cast<bool>(fd_); }
    void close() { fd_.reset(); }

    void send_all(std::string_view data);
    // Exactly n bytes; throws on end of stream or time-out.
    std::string receive_exact(size_t n);

    std::string peer() const { return host_ + ":" + std::to_string(port_); }

 private:
    void wait_for(short events);

    std::string host_;
    int port_;
    int timeout_ms_;
    bot_fd::UniqueFd fd_;
};

}  // namespace sluice::output_tcp
