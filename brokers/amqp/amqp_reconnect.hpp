// SPDX-License-Identifier: AGPL-3.0-or-later
// Connecting again after a failure, with back-off (0.2 s doubling to 5 s), reporting the first
// failure of a series, each different failure after it, and the recovery, not every attempt.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "amqp_connection.hpp"
#include "sluice/brokers/amqp_queue.hpp"

namespace sluice {

class AmqpReconnect {
 public:
    AmqpReconnect(AmqpSettings settings, BrokerLog log) : settings_(std::move(settings)), log_(std::move(log)) {}

    // A connection when one could be made now (or one exists); nullptr while waiting out back-off.
    AmqpConnection* get();
    // The connection if there is one, without trying to make one.
    AmqpConnection* current() const { return connection_.get(); }
    // Drops the connection after `error`; the next get() waits out the back-off first.
    void fail(const std::string& error);
    // Counts reconnections: a change tells a consumer that its unacknowledged deliveries are void.
    uint64_t generation() const { return generation_; }
    const AmqpSettings& settings() const { return settings_; }

 private:
    AmqpSettings settings_;
    BrokerLog log_;
    std::unique_ptr<AmqpConnection> connection_;
    std::chrono::steady_clock::time_point next_try_{};
    double backoff_ = 0.2;
    std::string last_failure_;  // since the last success ("" when connected): each is logged once
    uint64_t generation_ = 0;
};

}  // namespace sluice
