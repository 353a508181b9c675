// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The AMQP transport (RabbitMQ through rabbitmq-c): one durable queue per bot, named like IntelMQ's
// ("<bot>-queue"), persistent messages, publisher confirms, manual acknowledgements and a prefetch
// sized to the batch. A lost connection (broker restart, network) is re-established with back-off;
// what was published but not confirmed is published again, what was taken but not acknowledged is
// delivered again by the broker: duplicates are possible, losses are not.
//
// Records are packed up to AmqpSettings::records_per_message to a message (application/x-ndjson,
// the records joined by '\n'); records_per_message = 1, a lone record and a record containing '\n'
// go as one application/json message each, IntelMQ's format. The consumer splits packed messages
// and reads any other message as one record. A message is taken and acknowledged whole, so
// QueueConsumer::take(max, wait) may return more than `max` records (at most one message more),
// and a redelivery after a crash repeats whole packed messages. amqp_queue_stats counts messages.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "sluice/core/config.hpp"
#include "sluice/core/queue.hpp"

namespace sluice {

// Where transports report what an operator should see (reconnects); the host logs it.
using BrokerLog = std::function<void(const std::string&)>;

std::string amqp_queue_name(const std::string& bot);

// The broker's address as it may be printed: scheme, user, host, port, vhost; never the password.
std::string amqp_display_url(const AmqpSettings& settings);

std::unique_ptr<QueueProducer> open_amqp_producer(const AmqpSettings& settings, const std::string& queue,
                                                  BrokerLog log = {});
std::unique_ptr<QueueConsumer> open_amqp_consumer(const AmqpSettings& settings, const std::string& queue,
                                                  BrokerLog log = {});

// Ready messages as the broker's queue declaration counts them (unacknowledged ones are not in it);
// a packed message counts once, whatever number of records it holds.
// Throws QueueError when the broker cannot be reached; a queue that does not exist yet is empty.
QueueStats amqp_queue_stats(const AmqpSettings& settings, const std::string& queue);

// Removes every ready message of the queue (queue.purge); returns how many messages (not records).
// A missing queue is empty.
uint64_t amqp_queue_purge(const AmqpSettings& settings, const std::string& queue);

// Connects and logs in once: empty when that worked, else why not (never with the password).
std::string amqp_probe(const AmqpSettings& settings);

}  // namespace sluice
