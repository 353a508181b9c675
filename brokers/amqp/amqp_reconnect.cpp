// SPDX-License-Identifier: AGPL-3.0-or-later
#include "amqp_reconnect.hpp"

#include <algorithm>

namespace sluice {

AmqpConnection* AmqpReconnect::get() {
    if (connection_) return connection_.get();
    const auto now = std::chrono::steady_clock::now();
    if (now < next_try_) return nullptr;
    try {
        connection_ = std::make_unique<AmqpConnection>(settings_);
        ++generation_;
        if (failing_ && log_) log_("amqp " + connection_->display() + ": connected again");
        failing_ = false;
        backoff_ = 0.2;
        return connection_.get();
    } catch (const QueueError& e) {
        fail(e.what());
        return nullptr;
    }
}

void AmqpReconnect::fail(const std::string& error) {
    connection_.reset();
    if (!failing_ && log_) log_(error + " (connecting again with back-off)");
    failing_ = true;
    next_try_ = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                       std::chrono::duration<double>(backoff_));
    backoff_ = std::min(backoff_ * 2, 5.0);
}

}  // namespace sluice
