// SPDX-License-Identifier: AGPL-3.0-or-later
// The receiving end of a ZeroMQ edge: a ROUTER bound to the bot's endpoint. Batches stay in memory
// from take() until acknowledged; acknowledging answers each sender. A batch sent again (after a
// reconnect) is dropped when this process already holds it or acknowledged it, so a resend only
// costs bandwidth. A sender keeps several batches in flight (a window), and after a reconnect they
// may come in another order, so what was acknowledged is remembered per sequence, back to the
// sender's base (its oldest unacknowledged batch).
#include <zmq.hpp>

#include <deque>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sluice/brokers/zmq_queue.hpp"
#include "zmq_socket_options.hpp"
#include "zmq_wire.hpp"

namespace sluice {
namespace {

constexpr auto kNoWait = std::chrono::milliseconds(0);
constexpr auto kMaxWait = std::chrono::milliseconds(std::chrono::hours(24));

struct Batch {
    std::string sender;  // routing id
    uint64_t seq = 0;
    std::vector<zmq::message_t> frames;  // the records; the views handed out point into these
};

struct SenderState {
    uint64_t base = 0;         // every sequence below was acknowledged, as the sender told
    std::set<uint64_t> acked;  // acknowledged sequences at or above base
};

class ZmqConsumer final : public QueueConsumer {
 public:
    ZmqConsumer(const std::string& endpoint, ZmqOptions options)
        : endpoint_(endpoint), socket_(*context_, zmq::socket_type::router) {
        set_common_options(socket_, options.heartbeat);
        // A sender reconnecting under its old routing id takes over its old connection's place.
        socket_.set(zmq::sockopt::router_handover, 1);
        if (endpoint.rfind("ipc://", 0) == 0) {
            // A socket file left by a host that was killed: this host holds the bot's lock, so no
            // live receiver can own it.
            std::error_code ec;
            std::filesystem::remove(endpoint.substr(6), ec);
        }
        try {
            socket_.bind(endpoint);
        } catch (const zmq::error_t& e) {
            throw QueueError("zmq " + endpoint + ": cannot bind: " + e.what());
        }
    }

    const std::vector<std::string_view>& take(size_t max, std::chrono::milliseconds wait) override {
        views_.clear();
        // Capped so that a "wait for ever" such as milliseconds::max() cannot overflow the clock.
        const auto deadline = std::chrono::steady_clock::now() + std::min(wait, kMaxWait);
        for (;;) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (poll_or_interrupted(poll_items_.data(), poll_items_.size(), std::max(left, kNoWait)) <= 0 ||
                !(poll_items_[0].revents & ZMQ_POLLIN))
                return views_;  // nothing came, a signal, or one of the wake handles is ready
            const size_t first = held_.size();
            while (views_.size() < max && receive_batch()) {
            }
            if (held_.size() > first) take_batches_.push_back(held_.size() - first);
            // What came may have been only a batch sent again after a reconnect, dropped: the
            // wait for a first record goes on.
            if (!views_.empty() || std::chrono::steady_clock::now() >= deadline) return views_;
        }
    }

    void ack() override {
        acknowledge(held_.size());
        take_batches_.clear();
        views_.clear();
    }

    void ack_oldest() override {
        if (take_batches_.empty()) return;
        acknowledge(take_batches_.front());
        take_batches_.pop_front();
    }

    void also_wake_on(const std::vector<WakeHandle>& handles) override {
        poll_items_.resize(1);  // [0] is this receiver's own socket
        for (const WakeHandle& h : handles) poll_items_.push_back({h.zmq_socket, 0, ZMQ_POLLIN, 0});
    }

 private:
    // Receives one batch if one is waiting, adding its records to views_; false when none is.
    bool receive_batch() {
        zmq::message_t id;
        if (!socket_.recv(id, zmq::recv_flags::dontwait)) return false;
        Batch batch;
        batch.sender.assign(static_cast<const char*>(id.data()), id.size());
        zmq::message_t header;
        std::optional<zmq_wire::BatchHeader> h;
        if (id.more() && socket_.recv(header)) h = zmq_wire::parse_batch(header.data(), header.size());
        bool more = header.more();
        while (more) {
            zmq::message_t record;
            (void)socket_.recv(record);
            more = record.more();
            batch.frames.push_back(std::move(record));
        }
        if (!h) return true;  // not a Sluice batch: skipped whole, nothing to acknowledge
        batch.seq = h->seq;
        SenderState& sender = senders_[batch.sender];
        if (h->base > sender.base) {
            sender.base = h->base;
            sender.acked.erase(sender.acked.begin(), sender.acked.lower_bound(sender.base));
        }
        if (batch.seq < sender.base || sender.acked.count(batch.seq)) {
            send_ack(batch.sender, batch.seq);  // the acknowledgement was lost on the way: repeat it
            return true;
        }
        for (const Batch& held : held_)
            if (held.sender == batch.sender && held.seq == batch.seq) return true;  // acknowledged later
        for (const zmq::message_t& f : batch.frames) {
            if (!h->packed) {
                views_.emplace_back(static_cast<const char*>(f.data()), f.size());
            } else if (!zmq_wire::unpack_records(f.data(), f.size(),
                                                 [this](std::string_view r) { views_.push_back(r); })) {
                // ZeroMQ delivers frames whole: only a sender with a bug can cut one short. Taking
                // part of it would lose the rest; acknowledging none makes it come again for ever.
                throw QueueError("zmq " + endpoint_ + ": batch " + std::to_string(batch.seq) + " from sender " +
                                 batch.sender + " has a records frame cut short");
            }
        }
        held_.push_back(std::move(batch));  // the frames' storage moves with it: the views stay valid
        return true;
    }

    // Acknowledges the oldest `batches` held batches to their senders.
    void acknowledge(size_t batches) {
        for (; batches > 0 && !held_.empty(); --batches) {
            const Batch& b = held_.front();
            send_ack(b.sender, b.seq);
            senders_[b.sender].acked.insert(b.seq);
            held_.pop_front();  // a deque: the batches after it, and views into them, stay put
        }
    }

    void send_ack(const std::string& sender, uint64_t seq) {
        const std::string frame = zmq_wire::frame(zmq_wire::kAckTag, seq);
        // A sender that went away is gone from the ROUTER: the acknowledgement is dropped, and its
        // restarted process sends the batch again from its own input.
        (void)socket_.send(zmq::buffer(sender), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
        (void)socket_.send(zmq::buffer(frame), zmq::send_flags::dontwait);
    }

    std::string endpoint_;
    std::shared_ptr<zmq::context_t> context_ = shared_context();  // before the sockets: they need it
    zmq::socket_t socket_;
    std::deque<Batch> held_;                      // taken, not acknowledged, oldest first
    std::deque<size_t> take_batches_;             // how many of held_ each take brought, oldest first
    std::map<std::string, SenderState> senders_;  // by routing id
    std::vector<std::string_view> views_;
    std::vector<zmq::pollitem_t> poll_items_{{socket_.handle(), 0, ZMQ_POLLIN, 0}};  // own socket + wakes
};

}  // namespace

std::unique_ptr<QueueConsumer> open_zmq_consumer(const std::string& endpoint, ZmqOptions options) {
    return std::make_unique<ZmqConsumer>(endpoint, options);
}

}  // namespace sluice
