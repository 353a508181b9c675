// SPDX-License-Identifier: AGPL-3.0-or-later
// How the host reaches queues: an edge's transport name → a producer or consumer. The brokers
// library implements it; core only sees this interface.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sluice/core/config.hpp"
#include "sluice/core/queue.hpp"

namespace sluice {

class TransportFactory {
 public:
    virtual ~TransportFactory() = default;
    // A producer into `target.bot`'s input over `target.transport`.
    virtual std::unique_ptr<QueueProducer> producer(const Config& cfg, const EdgeTarget& target) = 0;
    // The consumer of `bot`'s input on `transport`. Throws QueueError if another consumer holds it.
    virtual std::unique_ptr<QueueConsumer> consumer(const Config& cfg, const std::string& bot,
                                                    const std::string& transport) = 0;
    // Throws QueueError when the transport cannot answer (broker unreachable).
    virtual QueueStats stats(const Config& cfg, const std::string& bot, const std::string& transport) = 0;
    // Whether anything waits in `bot`'s input on `transport`, asked often (`up --until-idle`):
    // cheaper than stats() where the transport can tell without counting. Throws as stats() does.
    virtual bool has_waiting(const Config& cfg, const std::string& bot, const std::string& transport) = 0;
    // Removes every message waiting in `bot`'s input on `transport`; returns how many. Throws
    // QueueError when the queue's consumer runs (file) or the broker cannot be reached.
    virtual uint64_t clear(const Config& cfg, const std::string& bot, const std::string& transport) = 0;
    // Problems an operator must fix before starting: an unreachable broker, clashing endpoints.
    virtual std::vector<std::string> check(const Config& cfg) = 0;
};

}  // namespace sluice
