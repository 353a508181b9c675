// SPDX-License-Identifier: AGPL-3.0-or-later
#include "amqp_reconnect.hpp"

#include <algorithm>

#include "sluice/core/link_status.hpp"

namespace sluice {

AmqpConnection* AmqpReconnect::get() {
    if (connection_) return connection_.get();
    const auto now = std::chrono::steady_clock::now();
    if (now < next_try_) return nullptr;
    try {
        connection_ = std::make_unique<AmqpConnection>(settings_);
        ++generation_;
        if (!last_failure_.empty()) {
            if (log_) log_("amqp " + connection_->display() + ": connected again");
            link_status::recovered(amqp_display_url(settings_));
            last_failure_.clear();
        }
        backoff_ = 0.2;
        return connection_.get();
    } catch (const QueueError& e) {
        fail(e.what());
        return nullptr;
    }
}

void AmqpReconnect::fail(const std::string& error) {
    connection_.reset();
    // Once per kind of failure, not per attempt: a forced close followed by refused logins (a
    // password changed on the broker) logs both, the second being what the operator must fix.
    if (log_ && error != last_failure_) log_(error + " (connecting again with back-off)");
    last_failure_ = error;
    link_status::failing(amqp_display_url(settings_), error);
    next_try_ = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                       std::chrono::duration<double>(backoff_));
    backoff_ = std::min(backoff_ * 2, 5.0);
}

}  // namespace sluice
