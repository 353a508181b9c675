// SPDX-License-Identifier: AGPL-3.0-or-later
// What operators ask of the broker outside the data path: queue sizes and reachability.
#include "amqp_connection.hpp"
#include "amqp_credentials.hpp"
#include "sluice/brokers/amqp_queue.hpp"

namespace sluice {

std::string amqp_queue_name(const std::string& bot) { return bot + "-queue"; }

std::string amqp_display_url(const AmqpSettings& settings) {
    try {
        return resolve_amqp_target(settings).display;
    } catch (const QueueError&) {
        return "(transports.amqp.url)";
    }
}

QueueStats amqp_queue_stats(const AmqpSettings& settings, const std::string& queue) {
    AmqpConnection c(settings);
    const int64_t ready = c.declare_queue(queue, settings.queue_type, /*passive*/ true);
    QueueStats s;
    s.records = ready > 0 ? static_cast<uint64_t>(ready) : 0;
    return s;
}

uint64_t amqp_queue_purge(const AmqpSettings& settings, const std::string& queue) {
    {
        AmqpConnection probe(settings);
        if (probe.declare_queue(queue, settings.queue_type, /*passive*/ true) < 0) return 0;
    }
    AmqpConnection c(settings);
    auto* ok = ::amqp_queue_purge(c.state(), 1, amqp_cstring_bytes(queue.c_str()));
    c.check(amqp_get_rpc_reply(c.state()), "queue.purge " + queue);
    return ok ? ok->message_count : 0;
}

std::string amqp_probe(const AmqpSettings& settings) {
    try {
        AmqpConnection c(settings);
        return {};
    } catch (const QueueError& e) {
        return e.what();
    }
}

}  // namespace sluice
