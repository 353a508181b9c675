// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/input_set.hpp"

#include <algorithm>

namespace sluice {

InputSet::InputSet(std::vector<std::unique_ptr<QueueConsumer>> inputs) : inputs_(std::move(inputs)) {}

const std::vector<std::string_view>& InputSet::take(size_t max, std::chrono::milliseconds wait) {
    if (inputs_.size() == 1) {
        const auto& records = inputs_[0]->take(max, wait);
        if (!records.empty()) takes_.push_back(0);
        return records;
    }
    // Nothing waits in any input: wait on each in short turns until `wait` is used up.
    const auto slice = std::max(std::chrono::milliseconds(5), wait / static_cast<long>(inputs_.size() * 4));
    const auto deadline = std::chrono::steady_clock::now() + wait;
    bool first_round = true;
    do {
        for (size_t i = 0; i < inputs_.size(); ++i) {
            const size_t at = (next_ + i) % inputs_.size();
            const auto& records = inputs_[at]->take(max, first_round ? std::chrono::milliseconds(0) : slice);
            if (records.empty()) continue;
            takes_.push_back(at);
            next_ = at + 1;
            return records;
        }
        first_round = false;
    } while (std::chrono::steady_clock::now() < deadline);
    return none_;
}

void InputSet::ack() {
    std::vector<bool> acked(inputs_.size(), false);
    for (size_t i : takes_)
        if (!acked[i]) {
            inputs_[i]->ack();
            acked[i] = true;
        }
    takes_.clear();
}

void InputSet::also_wake_on(const std::vector<WakeHandle>& handles) {
    // Several inputs are waited on in turns until the wait is used up: a woken input would end
    // its turn at once, every turn, while the acknowledgement that woke it waits to be read. So
    // only a single input watches the handles; with several, the host looks between waits.
    if (inputs_.size() == 1) inputs_[0]->also_wake_on(handles);
}

void InputSet::ack_oldest() {
    if (takes_.empty()) return;
    inputs_[takes_.front()]->ack_oldest();
    takes_.pop_front();
}

}  // namespace sluice
