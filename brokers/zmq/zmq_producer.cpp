// SPDX-License-Identifier: AGPL-3.0-or-later
// The sending end of a ZeroMQ edge: a DEALER that sends one batch, then waits for its
// acknowledgement, sending the batch again whenever the connection was re-established meanwhile.
#include <zmq.hpp>

#include <unistd.h>
#include <atomic>
#include <cstring>
#include <random>
#include <string>

#include "sluice/brokers/zmq_queue.hpp"
#include "zmq_socket_options.hpp"
#include "zmq_wire.hpp"

namespace sluice {
namespace {

constexpr auto kPollStep = std::chrono::milliseconds(100);

// A routing id that stays the same across reconnects of this producer, so the receiver's
// acknowledgement reaches it on the new connection, and differs from every other producer's.
std::string unique_routing_id() {
    static std::atomic<uint64_t> counter{0};
    std::random_device rd;
    return "sluice-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" + std::to_string(rd());
}

class ZmqProducer final : public QueueProducer {
 public:
    ZmqProducer(const std::string& endpoint, ZmqOptions options)
        : endpoint_(endpoint), socket_(context_, zmq::socket_type::dealer), monitor_(context_, zmq::socket_type::pair) {
        set_common_options(socket_, options.heartbeat);
        socket_.set(zmq::sockopt::routing_id, unique_routing_id());
        socket_.set(zmq::sockopt::immediate, 1);  // queue nothing for a peer that is not there
        // Handshakes tell when a batch may have to go again: the one it travelled on may be gone.
        const std::string monitor_address = "inproc://monitor";
        if (zmq_socket_monitor(socket_.handle(), monitor_address.c_str(),
                               ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED) != 0)
            throw QueueError("zmq " + endpoint + ": cannot monitor the socket: " + zmq_strerror(zmq_errno()));
        monitor_.set(zmq::sockopt::linger, 0);
        monitor_.connect(monitor_address);
        try {
            socket_.connect(endpoint);
        } catch (const zmq::error_t& e) {
            throw QueueError("zmq " + endpoint + ": cannot connect: " + e.what());
        }
    }

    bool append(const std::vector<std::string_view>& records, const StopToken& stop) override {
        if (records.empty()) return true;
        const uint64_t seq = ++seq_;
        for (;;) {
            read_monitor();
            const uint64_t sent_on = handshakes_;
            if (!send_batch(seq, records, stop)) return false;
            for (;;) {
                zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}, {monitor_.handle(), 0, ZMQ_POLLIN, 0}};
                zmq::poll(items, 2, kPollStep);
                if (items[0].revents & ZMQ_POLLIN) {
                    if (received_ack(seq)) return true;
                    continue;
                }
                if (items[1].revents & ZMQ_POLLIN) read_monitor();
                if (handshakes_ != sent_on) break;  // reconnected: the batch may be lost, send it again
                if (stop && stop()) return false;   // unacknowledged: the caller keeps its input
            }
        }
    }

 private:
    bool send_batch(uint64_t seq, const std::vector<std::string_view>& records, const StopToken& stop) {
        const std::string header = zmq_wire::frame(zmq_wire::kBatchTag, seq);
        // With `immediate`, sending waits until a receiver is connected: back-pressure on its absence.
        for (;;) {
            zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLOUT, 0};
            zmq::poll(&item, 1, kPollStep);
            if (item.revents & ZMQ_POLLOUT) {
                if (socket_.send(zmq::buffer(header), zmq::send_flags::dontwait | zmq::send_flags::sndmore)) break;
            }
            if (stop && stop()) return false;
        }
        // The first frame was taken: ZeroMQ delivers a multipart message whole or not at all.
        for (size_t i = 0; i < records.size(); ++i) {
            const auto flags = i + 1 < records.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
            socket_.send(zmq::message_t(records[i].data(), records[i].size()), flags);
        }
        return true;
    }

    bool received_ack(uint64_t seq) {
        zmq::message_t reply;
        if (!socket_.recv(reply, zmq::recv_flags::dontwait)) return false;
        bool ours = false;
        if (auto s = zmq_wire::parse(zmq_wire::kAckTag, reply.data(), reply.size())) ours = *s == seq;
        while (reply.more()) (void)socket_.recv(reply);  // anything unexpected is skipped whole
        return ours;  // acknowledgements of batches sent earlier arrive late after a resend: ignored
    }

    void read_monitor() {
        for (;;) {
            zmq::message_t event, address;
            if (!monitor_.recv(event, zmq::recv_flags::dontwait)) return;
            if (event.more()) (void)monitor_.recv(address);
            uint16_t id = 0;
            if (event.size() >= sizeof id) std::memcpy(&id, event.data(), sizeof id);
            if (id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) ++handshakes_;
        }
    }

    std::string endpoint_;
    zmq::context_t context_{1};
    zmq::socket_t socket_;
    zmq::socket_t monitor_;
    uint64_t seq_ = 0;
    uint64_t handshakes_ = 0;
};

}  // namespace

std::unique_ptr<QueueProducer> open_zmq_producer(const std::string& endpoint, ZmqOptions options) {
    return std::make_unique<ZmqProducer>(endpoint, options);
}

}  // namespace sluice
