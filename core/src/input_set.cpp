// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/input_set.hpp"

#include <algorithm>

namespace sluice {

InputSet::InputSet(std::vector<std::unique_ptr<QueueConsumer>> inputs)
    : inputs_(std::move(inputs)), taken_(inputs_.size(), false) {}

const std::vector<std::string_view>& InputSet::take(size_t max, std::chrono::milliseconds wait) {
    if (inputs_.size() == 1) {
        taken_[0] = true;
        return inputs_[0]->take(max, wait);
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
            taken_[at] = true;
            next_ = at + 1;
            return records;
        }
        first_round = false;
    } while (std::chrono::steady_clock::now() < deadline);
    return none_;
}

void InputSet::ack() {
    for (size_t i = 0; i < inputs_.size(); ++i)
        if (taken_[i]) {
            inputs_[i]->ack();
            taken_[i] = false;
        }
}

}  // namespace sluice
