// SPDX-License-Identifier: AGPL-3.0-or-later
//
// What a bot emits during one batch, held until the batch is done and then handed to each target
// queue as one group commit. Serialized once per emit into one reusable buffer per target, so the
// hot path does not allocate per message once warmed up. A failed attempt at a message can be
// rolled back, so a retried message does not leave duplicates of what it emitted before failing.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/core/message.hpp"
#include "sluice/core/queue.hpp"

namespace sluice {

class Outbox {
 public:
    // Adds a producer for a path; one producer may serve several paths.
    void add_route(const std::string& path, const std::string& target, std::shared_ptr<QueueProducer> producer);
    bool has_path(std::string_view path) const;

    // Serializes and queues a copy of `m` for every target of `path`; false when the path has none.
    bool emit(std::string_view path, const Message& m);

    struct Mark {
        std::vector<std::pair<size_t, size_t>> sizes;  // per target: bytes, records
        std::map<std::string, uint64_t, std::less<>> counts;
        uint64_t deliveries = 0;
    };
    void mark(Mark& m) const;
    // Drops what was emitted since `m`. What a send in between already handed on stays
    // downstream: the retried message then yields duplicates, which at-least-once allows.
    void rollback(const Mark& m);

    // Hands everything pending to its queue (QueueProducer::send), which may be before it is
    // durable: sent() and durable() then tell when it is. False when `stop` ended a back-pressure
    // wait (what was not sent stays pending). Returns the count sent per path in `sent`.
    bool send(const StopToken& stop, std::map<std::string, uint64_t>& sent);
    // What has been sent so far, per target: durable once each target's producer says so.
    using Tickets = std::vector<uint64_t>;
    Tickets sent() const;
    bool durable(const Tickets& tickets);  // does not block
    bool wait_durable(const Tickets& tickets, const StopToken& stop);
    void sync();                             // QueueProducer::sync on every target
    std::vector<WakeHandle> wake_handles();  // of the targets that have one
    bool empty() const;
    // Bytes serialized and not yet sent: the host sends early past a bound, so one huge
    // report does not hold all its events in memory.
    size_t pending_bytes() const { return pending_bytes_; }

 private:
    struct Target {
        std::string name;
        std::shared_ptr<QueueProducer> producer;
        std::string buffer;
        std::vector<std::pair<size_t, size_t>> spans;  // offset, length in buffer
        uint64_t ticket = 0;                           // of the producer's last send
    };
    std::vector<Target> targets_;
    std::map<std::string, std::vector<size_t>, std::less<>> routes_;  // path → target indexes
    std::map<std::string, uint64_t, std::less<>> pending_counts_;     // path → messages pending
    std::vector<std::string_view> views_;
    size_t pending_bytes_ = 0;
    uint64_t deliveries_ = 0;
};

}  // namespace sluice
