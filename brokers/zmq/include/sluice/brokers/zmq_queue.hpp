// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The ZeroMQ transport: the receiving bot's host binds one ROUTER socket; every host sending to it
// connects a DEALER. ZeroMQ keeps nothing on disk, so the promise is kept by acknowledgements:
//  - the sender keeps every batch it sent until the receiver acknowledges it; the receiver does so
//    only after its own output of that batch is durable downstream (QueueConsumer::ack_oldest);
//  - up to eight batches are in flight at once (send() blocks beyond), so a sender goes on with
//    its next batches while the chain behind it works on the earlier ones;
//  - after a reconnect (the receiver restarted, the network came back) the sender sends the
//    unacknowledged batches again; the receiver drops a batch it already holds or acknowledged.
// The durable point is therefore the sender's own input: a batch is acknowledged there only once
// the whole chain behind it holds it durably (see docs/transports.md for what this survives).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "sluice/core/queue.hpp"

namespace sluice {

struct ZmqOptions {
    // A silent peer is declared dead after five heartbeats without an answer; the sender then
    // reconnects and sends its unacknowledged batch again.
    std::chrono::milliseconds heartbeat{2000};
};

// Connects to `endpoint` ("tcp://host:port" or "ipc://path"). send() and append() block while no
// receiver is there (back-pressure); append() returns once the receiver has acknowledged the batch,
// send() once the batch is on its way (durable() and wait_durable() tell when it is acknowledged).
std::unique_ptr<QueueProducer> open_zmq_producer(const std::string& endpoint, ZmqOptions options = {});

// Binds `endpoint`. take() hands out whole batches as senders sent them (one batch may exceed
// `max`); ack() acknowledges every batch taken so far to its sender, ack_oldest() those of the
// oldest take. Throws QueueError when the
// endpoint cannot be bound (in use, bad address).
std::unique_ptr<QueueConsumer> open_zmq_consumer(const std::string& endpoint, ZmqOptions options = {});

}  // namespace sluice
