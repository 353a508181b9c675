// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/outbox.hpp"

#include <algorithm>

namespace sluice {

void Outbox::add_route(const std::string& path, const std::string& target, std::shared_ptr<QueueProducer> producer) {
    auto it = std::find_if(targets_.begin(), targets_.end(), [&](const Target& t) { return t.name == target; });
    size_t index = static_cast<size_t>(it - targets_.begin());
    if (it == targets_.end()) targets_.push_back(Target{target, std::move(producer), {}, {}});
    auto& route = routes_[path];
    if (std::find(route.begin(), route.end(), index) == route.end()) route.push_back(index);
}

bool Outbox::has_path(std::string_view path) const { return routes_.find(path) != routes_.end(); }

bool Outbox::emit(std::string_view path, const Message& m) {
    auto it = routes_.find(path);
    if (it == routes_.end()) return false;
    // Serialized once, straight into the first target's buffer; further targets copy from there.
    Target& first = targets_[it->second.front()];
    const size_t offset = first.buffer.size();
    m.to_json(first.buffer);
    const size_t length = first.buffer.size() - offset;
    first.spans.emplace_back(offset, length);
    pending_bytes_ += length * it->second.size();
    for (size_t i = 1; i < it->second.size(); ++i) {
        Target& t = targets_[it->second[i]];
        t.spans.emplace_back(t.buffer.size(), length);
        t.buffer.append(first.buffer, offset, length);
    }
    auto c = pending_counts_.find(path);
    if (c == pending_counts_.end()) c = pending_counts_.emplace(std::string(path), 0).first;
    ++c->second;
    return true;
}

void Outbox::mark(Mark& m) const {
    m.sizes.clear();
    for (const auto& t : targets_) m.sizes.emplace_back(t.buffer.size(), t.spans.size());
    m.counts = pending_counts_;
    m.deliveries = deliveries_;
}

void Outbox::rollback(const Mark& m) {
    if (m.deliveries != deliveries_) {
        // Delivered since the mark: everything still pending came after it.
        for (auto& t : targets_) {
            t.buffer.clear();
            t.spans.clear();
        }
        pending_counts_.clear();
        pending_bytes_ = 0;
        return;
    }
    pending_bytes_ = 0;
    for (size_t i = 0; i < targets_.size(); ++i) {
        if (i < m.sizes.size()) {
            targets_[i].buffer.resize(m.sizes[i].first);
            targets_[i].spans.resize(m.sizes[i].second);
        }
        pending_bytes_ += targets_[i].buffer.size();
    }
    pending_counts_ = m.counts;
}

bool Outbox::send(const StopToken& stop, std::map<std::string, uint64_t>& sent) {
    for (auto& t : targets_) {
        if (t.spans.empty()) continue;
        views_.clear();
        for (auto [offset, length] : t.spans) views_.emplace_back(t.buffer.data() + offset, length);
        uint64_t ticket = 0;
        if (!t.producer->send(views_, stop, ticket)) return false;
        t.ticket = std::max(t.ticket, ticket);
        t.buffer.clear();
        t.spans.clear();
    }
    for (auto& [path, n] : pending_counts_) sent[path] += n;
    pending_counts_.clear();
    pending_bytes_ = 0;
    ++deliveries_;
    return true;
}

bool Outbox::empty() const {
    return std::all_of(targets_.begin(), targets_.end(), [](const Target& t) { return t.spans.empty(); });
}

}  // namespace sluice

namespace sluice {

Outbox::Tickets Outbox::sent() const {
    Tickets tickets;
    tickets.reserve(targets_.size());
    for (const auto& t : targets_) tickets.push_back(t.ticket);
    return tickets;
}

bool Outbox::durable(const Tickets& tickets) {
    for (size_t i = 0; i < tickets.size() && i < targets_.size(); ++i)
        if (tickets[i] > targets_[i].producer->durable()) return false;
    return true;
}

void Outbox::sync() {
    for (auto& t : targets_) t.producer->sync();
}

std::vector<WakeHandle> Outbox::wake_handles() {
    std::vector<WakeHandle> handles;
    for (auto& t : targets_)
        if (const WakeHandle h = t.producer->wake_handle(); h.zmq_socket) handles.push_back(h);
    return handles;
}

bool Outbox::wait_durable(const Tickets& tickets, const StopToken& stop) {
    for (size_t i = 0; i < tickets.size() && i < targets_.size(); ++i)
        if (!targets_[i].producer->wait_durable(tickets[i], stop)) return false;
    return true;
}

}  // namespace sluice
