// SPDX-License-Identifier: AGPL-3.0-or-later
// A bot fed by edges of several transports at once (a file queue from one producer, ZeroMQ from
// another) reads them as one input: each take() serves the next input that has something, in
// turn, so a busy input cannot starve a quiet one; ack() acknowledges whatever was taken, and
// ack_oldest() the oldest take, at the input it came from.
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "sluice/core/queue.hpp"

namespace sluice {

class InputSet final : public QueueConsumer {
 public:
    explicit InputSet(std::vector<std::unique_ptr<QueueConsumer>> inputs);
    const std::vector<std::string_view>& take(size_t max, std::chrono::milliseconds wait) override;
    void ack() override;
    void ack_oldest() override;
    void also_wake_on(const std::vector<WakeHandle>& handles) override;

 private:
    std::vector<std::unique_ptr<QueueConsumer>> inputs_;
    std::deque<size_t> takes_;  // the input of every take not acknowledged yet, oldest first
    size_t next_ = 0;
    std::vector<std::string_view> none_;
};

}  // namespace sluice
