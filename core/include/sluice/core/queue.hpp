// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The one small interface every transport (brokers/file, brokers/zmq, brokers/amqp) implements.
// A queue carries opaque records (serialized messages). The promise is at-least-once:
//  - QueueProducer::append returns only when every record it was given is durable (file queue:
//    written and fsynced; AMQP: publisher-confirmed; ZeroMQ: acknowledged by the peer);
//  - QueueConsumer::take hands out records that stay in the queue until ack(); a consumer that dies
//    before ack() sees them again (duplicates after a crash are allowed, losses are not).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// A transport failure a person can act on: names the queue and what went wrong.
struct QueueError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Asked while blocking (back-pressure, waiting for input): true means "give up now".
using StopToken = std::function<bool()>;

class QueueProducer {
 public:
    virtual ~QueueProducer() = default;
    // Appends all records as one group commit and returns once they are durable. Blocks while the
    // queue is over its size bound (back-pressure); returns false if `stop` said so while blocked,
    // in which case nothing was appended. Throws QueueError on I/O failure.
    virtual bool append(const std::vector<std::string_view>& records, const StopToken& stop) = 0;
};

class QueueConsumer {
 public:
    virtual ~QueueConsumer() = default;
    // Returns up to `max` records after the ones already taken, waiting up to `wait` for the first.
    // A transport that acknowledges several records as one unit (AMQP with records_per_message > 1)
    // returns whole units, so up to max - 1 + the unit's size. The views are valid until the next
    // take() or ack(). Empty when nothing arrived in time.
    virtual const std::vector<std::string_view>& take(size_t max, std::chrono::milliseconds wait) = 0;
    // Acknowledges every record taken so far: they will not be delivered again.
    virtual void ack() = 0;
};

// The size of a queue as an operator sees it.
struct QueueStats {
    uint64_t records = 0;  // not yet acknowledged by the consumer
    uint64_t bytes = 0;    // on disk (file queue) or as reported by the broker
};

}  // namespace sluice
