// The sending end of a ZeroMQ edge: a DEALER that keeps up to kWindow batches in flight. Each stays
// here until the receiver acknowledges it, and is sent again whenever the connection was
// re-established after it went out.
#include <zmq.hpp>

#include <unistd.h>
#include <atomic>
#include <cstring>
#include <deque>
#include <random>
#include <string>

#include "sluice/brokers/zmq_queue.hpp"
#include "zmq_socket_options.hpp"
#include "zmq_wire.hpp"

namespace sluice {
namespace {

constexpr auto kPollStep = std::chrono::milliseconds(100);
// A stop token for sending only what can go without waiting for a receiver.
const StopToken kDontWait = [] { return true; };
// Batches sent and not yet acknowledged, at most. The acknowledgement of a batch comes back only
// once the rest of the chain holds its events durably, so this is what lets a sender go on while
// the bots behind it work; it bounds the memory kept for sending again.
constexpr size_t kWindow = 8;

// A routing id that stays the same across reconnects of this producer, so the receiver's
// acknowledgement reaches it on the new connection, and differs from every other producer's.
std::string unique_routing_id() {
    static std::atomic<uint64_t> counter{0};
    std::random_device rd;
    return "sluice-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" + std::to_string(rd());
}

struct InFlight {
    uint64_t seq = 0;
    uint64_t sent_on = 0;  // the handshake count when it last went out
    bool acked = false;
    zmq::message_t records;  // our copy of the records, packed; shared with what was sent
};

class ZmqProducer final : public QueueProducer {
 public:
    ZmqProducer(const std::string& endpoint, ZmqOptions options)
        : endpoint_(endpoint),
          socket_(*context_, zmq::socket_type::dealer),
          monitor_(*context_, zmq::socket_type::pair) {
        set_common_options(socket_, options.heartbeat);
        const std::string routing_id = unique_routing_id();
        socket_.set(zmq::sockopt::routing_id, routing_id);
        socket_.set(zmq::sockopt::immediate, 1);  // queue nothing for a peer that is not there
        // Handshakes tell when a batch may have to go again: the one it travelled on may be gone.
        const std::string monitor_address = "inproc://monitor-" + routing_id;  // the context is shared
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
        uint64_t ticket = 0;
        return send(records, stop, ticket) && wait_durable(ticket, stop);
    }

    bool send(const std::vector<std::string_view>& records, const StopToken& stop, uint64_t& ticket) override {
        ticket = 0;  // nothing to send is durable at once
        if (records.empty()) return true;
        while (in_flight_.size() >= kWindow) {
            if (!pump(kPollStep, stop)) return false;
            if (in_flight_.size() >= kWindow && stop && stop()) return false;
        }
        InFlight batch;
        batch.seq = seq_ + 1;
        size_t bytes = 0;
        for (std::string_view r : records) bytes += zmq_wire::packed_size(r.size());
        batch.records.rebuild(bytes);
        char* out = static_cast<char*>(batch.records.data());
        for (std::string_view r : records) out = zmq_wire::pack_record(out, r);
        read_monitor();
        if (!transmit(batch, stop)) return false;
        seq_ = batch.seq;
        in_flight_.push_back(std::move(batch));
        ticket = seq_;
        return true;
    }

    uint64_t durable() override {
        read_acks();
        read_monitor();
        (void)resend(kDontWait);  // a host busy with new input still repairs a reconnect at once
        return in_flight_.empty() ? seq_ : in_flight_.front().seq - 1;
    }

    // Acknowledgements are the only messages that arrive on the sender's socket. sync() reads
    // them, so a late or repeated one cannot leave the socket readable and a take() waking for ever.
    WakeHandle wake_handle() override { return {socket_.handle()}; }
    void sync() override { (void)durable(); }

    bool wait_durable(uint64_t ticket, const StopToken& stop) override {
        while (durable() < ticket) {
            if (!pump(kPollStep, stop)) return false;
            if (durable() < ticket && stop && stop()) return false;  // unacknowledged: the caller keeps its input
        }
        return true;
    }

 private:
    // Waits up to `timeout` for acknowledgements or connection events; after a reconnect, sends
    // again every batch that went out before it. False if `stop` said so while sending.
    bool pump(std::chrono::milliseconds timeout, const StopToken& stop) {
        zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}, {monitor_.handle(), 0, ZMQ_POLLIN, 0}};
        poll_or_interrupted(items, 2, timeout);
        if (items[0].revents & ZMQ_POLLIN) read_acks();
        if (items[1].revents & ZMQ_POLLIN) read_monitor();
        return resend(stop);
    }

    // Sends again every unacknowledged batch that went out before the last reconnect. False if
    // `stop` said so while no receiver was there; the rest then goes on the next call.
    bool resend(const StopToken& stop) {
        for (InFlight& batch : in_flight_)
            if (!batch.acked && batch.sent_on != handshakes_ && !transmit(batch, stop)) return false;
        return true;
    }

    // Sends one batch: its header, then its records (ZeroMQ shares the bytes with our copy, it does
    // not copy them again). False if `stop` said so while no receiver was there.
    bool transmit(InFlight& batch, const StopToken& stop) {
        const uint64_t base = in_flight_.empty() ? batch.seq : in_flight_.front().seq;
        const std::string header = zmq_wire::batch_frame(batch.seq, base);
        // With `immediate`, sending waits until a receiver is connected: back-pressure on its absence.
        while (!socket_.send(zmq::buffer(header), zmq::send_flags::dontwait | zmq::send_flags::sndmore)) {
            if (stop && stop()) return false;
            zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLOUT, 0};
            poll_or_interrupted(&item, 1, kPollStep);
        }
        batch.sent_on = handshakes_;
        // The first frame was taken: ZeroMQ delivers a multipart message whole or not at all.
        zmq::message_t copy;
        copy.copy(batch.records);
        socket_.send(copy, zmq::send_flags::none);
        return true;
    }

    // Marks every batch acknowledged so far and forgets those no longer ahead of an unacknowledged
    // one. Acknowledgements may come out of order after a reconnect, or twice: both are harmless.
    void read_acks() {
        for (;;) {
            zmq::message_t reply;
            if (!socket_.recv(reply, zmq::recv_flags::dontwait)) break;
            const auto seq = zmq_wire::parse(zmq_wire::kAckTag, reply.data(), reply.size());
            while (reply.more()) (void)socket_.recv(reply);  // anything unexpected is skipped whole
            if (!seq || in_flight_.empty() || *seq < in_flight_.front().seq) continue;
            const uint64_t index = *seq - in_flight_.front().seq;  // sequences in flight are consecutive
            if (index < in_flight_.size()) in_flight_[index].acked = true;
        }
        while (!in_flight_.empty() && in_flight_.front().acked) in_flight_.pop_front();
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
    std::shared_ptr<zmq::context_t> context_ = shared_context();  // before the sockets: they need it
    zmq::socket_t socket_;
    zmq::socket_t monitor_;
    std::deque<InFlight> in_flight_;  // sent, oldest first; consecutive sequences
    uint64_t seq_ = 0;                // the last sequence sent
    uint64_t handshakes_ = 0;
};

}  // namespace

std::unique_ptr<QueueProducer> open_zmq_producer(const std::string& endpoint, ZmqOptions options) {
    return std::make_unique<ZmqProducer>(endpoint, options);
}

}  // namespace sluice
