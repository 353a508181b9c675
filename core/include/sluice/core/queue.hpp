// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The one small interface every transport (brokers/file, brokers/zmq, brokers/amqp) implements.
// A queue carries opaque records (serialized messages). The promise is at-least-once:
//  - QueueProducer::append returns only when every record it was given is durable (file queue:
//    written and fsynced; AMQP: publisher-confirmed; ZeroMQ: acknowledged by the peer);
//  - QueueConsumer::take hands out records that stay in the queue until ack(); a consumer that dies
//    before ack() sees them again (duplicates after a crash are allowed, losses are not).
// A host pipelines: it sends a batch's output (QueueProducer::send), takes and processes the next
// batch while that output is on its way, and acknowledges each input batch (ack_oldest) only once
// the output it gave is durable. On a ZeroMQ edge, whose acknowledgement travels back from the end
// of the chain, that is what lets every bot of a chain work at once; with no input waiting, the
// host waits for input and acknowledgements together (QueueConsumer::also_wake_on), not for the
// acknowledgement alone.
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

// The storage under a queue is full (ENOSPC, EDQUOT): a state that passes once space is freed,
// never a reason to give up on a message.
struct QueueDiskFull : QueueError {
    using QueueError::QueueError;
};

// Asked while blocking (back-pressure, waiting for input): true means "give up now".
using StopToken = std::function<bool()>;

// What a wait for input can also watch, so that it ends as soon as acknowledgements arrive at a
// producer: a ZeroMQ socket, as zmq_poll takes it. (AMQP has none to give: its connection's socket
// changes on every reconnect.)
struct WakeHandle {
    void* zmq_socket = nullptr;
};

class QueueProducer {
 public:
    virtual ~QueueProducer() = default;
    // Appends all records as one group commit and returns once they are durable. Blocks while the
    // queue is over its size bound (back-pressure); returns false if `stop` said so while blocked,
    // in which case nothing was appended. Throws QueueError on I/O failure.
    virtual bool append(const std::vector<std::string_view>& records, const StopToken& stop) = 0;

    // Hands the records over and returns, possibly before they are durable; the transport keeps
    // what it needs until they are. `ticket` is set to this send's number: tickets rise by one per
    // send. Blocks while the transport has too much unconfirmed (a window); false if `stop` said so
    // meanwhile, and then nothing was sent. The default appends, so its tickets are durable at once.
    virtual bool send(const std::vector<std::string_view>& records, const StopToken& stop, uint64_t& ticket) {
        if (!append(records, stop)) return false;
        ticket = ++sent_;
        return true;
    }
    // The highest ticket that is durable together with every ticket before it; does not block.
    virtual uint64_t durable() { return sent_; }
    // Blocks until `ticket` is durable; false if `stop` said so first.
    virtual bool wait_durable(uint64_t ticket, const StopToken& stop) {
        (void)ticket;
        (void)stop;
        return true;
    }
    // Makes durable now whatever this process can make durable on its own (a file queue fsyncs
    // what it wrote), without waiting for a peer: a ZeroMQ acknowledgement or a broker's confirm
    // comes when it comes, and durable() tells. Lets a host with no input waiting commit its
    // batches in flight yet go on watching its input.
    virtual void sync() {}
    // Where this producer's acknowledgements arrive, if a wait for input can watch it (valid as
    // long as the producer lives); none by default.
    virtual WakeHandle wake_handle() { return {}; }

 private:
    uint64_t sent_ = 0;
};

class QueueConsumer {
 public:
    virtual ~QueueConsumer() = default;
    // Returns up to `max` records after the ones already taken, waiting up to `wait` for the first.
    // A transport that acknowledges several records as one unit (AMQP with records_per_message > 1)
    // returns whole units, so up to max - 1 + the unit's size. The views are valid until the next
    // take() or ack(). Empty when nothing arrived in time. Records taken and not acknowledged stay
    // held by the consumer (or its broker) until acknowledged, however many takes follow.
    virtual const std::vector<std::string_view>& take(size_t max, std::chrono::milliseconds wait) = 0;
    // Acknowledges every record taken so far: they will not be delivered again.
    virtual void ack() = 0;
    // Acknowledges the records of the oldest take() that returned any and is not acknowledged yet,
    // leaving those of later takes pending: a host acknowledges batch by batch, in order, while it
    // already works on the next ones. The views of the current take stay valid.
    virtual void ack_oldest() = 0;
    // From now on take() also ends, with nothing, as soon as one of these is readable: a host
    // waiting for input then sees at once that a batch it sent became durable. Replaces the
    // handles given before; a transport that cannot watch them ignores them.
    virtual void also_wake_on(const std::vector<WakeHandle>& handles) { (void)handles; }
};

// The size of a queue as an operator sees it.
struct QueueStats {
    uint64_t records = 0;  // not yet acknowledged by the consumer
    uint64_t bytes = 0;    // on disk (file queue) or as reported by the broker
};

}  // namespace sluice
