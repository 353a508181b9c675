// SPDX-License-Identifier: AGPL-3.0-or-later
// One logged-in connection with channel 1 open, closed by the destructor. Every failure becomes a
// QueueError naming the broker (password masked) and what the broker or the library said.
#pragma once

#include <amqp.h>

#include <cstdint>
#include <string>

#include "sluice/core/config.hpp"
#include "sluice/core/queue.hpp"

namespace sluice {

class AmqpConnection {
 public:
    explicit AmqpConnection(const AmqpSettings& settings);
    ~AmqpConnection();
    AmqpConnection(const AmqpConnection&) = delete;
    AmqpConnection& operator=(const AmqpConnection&) = delete;

    amqp_connection_state_t state() const { return state_; }
    const std::string& display() const { return display_; }

    // Declares `queue` durable (or only looks it up when `passive`); returns its ready messages.
    // A passive look-up of a missing queue returns -1 and leaves the connection unusable.
    int64_t declare_queue(const std::string& queue, const std::string& type, bool passive);
    // Throws unless `r` is a normal reply; `what` says which call it was.
    void check(const amqp_rpc_reply_t& r, const std::string& what) const;
    // Throws on a negative library status.
    void check_status(int status, const std::string& what) const;

 private:
    amqp_connection_state_t state_ = nullptr;
    std::string display_;
    // The broker closed the channel or the connection (check() saw it and answered close-ok): the
    // destructor then does not close politely.
    void note_closed_by_broker(const amqp_rpc_reply_t& r) const;
    mutable bool channel_open_ = false;
    mutable bool closed_by_broker_ = false;
};

}  // namespace sluice
