// SPDX-License-Identifier: AGPL-3.0-or-later
// The receiving end of a ZeroMQ edge: a ROUTER bound to the bot's endpoint. Batches stay in memory
// from take() to ack(); ack() answers each sender. A batch sent again (after a reconnect) is dropped
// when this process already holds it or acknowledged it, so a resend only costs bandwidth.
#include <zmq.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sluice/brokers/zmq_queue.hpp"
#include "zmq_socket_options.hpp"
#include "zmq_wire.hpp"

namespace sluice {
namespace {

struct Batch {
    std::string sender;  // routing id
    uint64_t seq = 0;
    std::vector<zmq::message_t> frames;  // the records; the views handed out point into these
};

class ZmqConsumer final : public QueueConsumer {
 public:
    ZmqConsumer(const std::string& endpoint, ZmqOptions options)
        : endpoint_(endpoint), socket_(context_, zmq::socket_type::router) {
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
        zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, wait) <= 0) return views_;
        const size_t first = held_.size();
        size_t records = 0;
        while (records < max && receive_batch(records)) {
        }
        for (size_t b = first; b < held_.size(); ++b)
            for (const auto& f : held_[b].frames) views_.emplace_back(static_cast<const char*>(f.data()), f.size());
        return views_;
    }

    void ack() override {
        for (const Batch& b : held_) send_ack(b.sender, b.seq);
        for (Batch& b : held_) acked_[b.sender] = b.seq;
        held_.clear();
        views_.clear();
    }

 private:
    // Receives one batch if one is waiting (adding its records to `records`); false when none is.
    bool receive_batch(size_t& records) {
        zmq::message_t id;
        if (!socket_.recv(id, zmq::recv_flags::dontwait)) return false;
        Batch batch;
        batch.sender.assign(static_cast<const char*>(id.data()), id.size());
        zmq::message_t header;
        bool valid = id.more() && socket_.recv(header) && header.size() == zmq_wire::kFrameSize;
        std::optional<uint64_t> seq;
        if (valid) seq = zmq_wire::parse(zmq_wire::kBatchTag, header.data(), header.size());
        bool more = header.more();
        while (more) {
            zmq::message_t record;
            (void)socket_.recv(record);
            more = record.more();
            batch.frames.push_back(std::move(record));
        }
        if (!seq) return true;  // not a Sluice batch: skipped whole, nothing to acknowledge
        batch.seq = *seq;
        if (auto a = acked_.find(batch.sender); a != acked_.end() && batch.seq <= a->second) {
            send_ack(batch.sender, batch.seq);  // the acknowledgement was lost on the way: repeat it
            return true;
        }
        for (const Batch& h : held_)
            if (h.sender == batch.sender && h.seq == batch.seq) return true;  // acknowledged on ack()
        records += batch.frames.size();
        held_.push_back(std::move(batch));
        return true;
    }

    void send_ack(const std::string& sender, uint64_t seq) {
        const std::string frame = zmq_wire::frame(zmq_wire::kAckTag, seq);
        // A sender that went away is gone from the ROUTER: the acknowledgement is dropped, and its
        // restarted process sends the batch again from its own input.
        (void)socket_.send(zmq::buffer(sender), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
        (void)socket_.send(zmq::buffer(frame), zmq::send_flags::dontwait);
    }

    std::string endpoint_;
    zmq::context_t context_{1};
    zmq::socket_t socket_;
    std::vector<Batch> held_;                // taken, not acknowledged
    std::map<std::string, uint64_t> acked_;  // sender → last sequence acknowledged
    std::vector<std::string_view> views_;
};

}  // namespace

std::unique_ptr<QueueConsumer> open_zmq_consumer(const std::string& endpoint, ZmqOptions options) {
    return std::make_unique<ZmqConsumer>(endpoint, options);
}

}  // namespace sluice
