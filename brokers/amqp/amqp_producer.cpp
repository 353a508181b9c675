// SPDX-License-Identifier: AGPL-3.0-or-later
// Publishing: a batch's records packed into persistent messages of up to records_per_message
// records each (amqp_packing.hpp). send() publishes and returns; the broker's confirms are read as
// they come (durable(), wait_durable()), so a host goes on while the broker stores its output. Up
// to kWindow batches wait for their confirms; each is kept until then, and every batch not yet
// confirmed is published again, in order, on a new connection after any failure.
#include <sys/time.h>

#include <deque>
#include <set>
#include <thread>

#include "amqp_packing.hpp"
#include "amqp_reconnect.hpp"

namespace sluice {
namespace {

constexpr size_t kWindow = 8;

// A batch published and not yet confirmed, with a copy of its records for publishing it again.
struct Unconfirmed {
    uint64_t ticket = 0;
    uint64_t generation = 0;  // of the connection it was last published on
    uint64_t last_tag = 0;    // its last delivery tag there
    std::string bytes;        // the records back to back
    std::vector<size_t> sizes;
};

class AmqpProducer final : public QueueProducer {
 public:
    AmqpProducer(const AmqpSettings& settings, std::string queue, BrokerLog log)
        : link_(settings, std::move(log)), queue_(std::move(queue)) {}

    bool append(const std::vector<std::string_view>& records, const StopToken& stop) override {
        uint64_t ticket = 0;
        return send(records, stop, ticket) && wait_durable(ticket, stop);
    }

    bool send(const std::vector<std::string_view>& records, const StopToken& stop, uint64_t& ticket) override {
        ticket = tickets_;  // nothing to send: durable once what came before is
        if (records.empty()) return true;
        while (unconfirmed_.size() >= kWindow)
            if (!wait_durable(unconfirmed_.front().ticket, stop)) return false;
        Unconfirmed batch;
        batch.ticket = tickets_ + 1;
        for (std::string_view r : records) {
            batch.bytes.append(r);
            batch.sizes.push_back(r.size());
        }
        for (;;) {
            if (AmqpConnection* c = ready_connection()) {
                try {
                    publish_stale(*c);
                    publish(*c, batch);
                    break;
                } catch (const QueueError& e) {
                    link_.fail(e.what());
                }
            }
            if (stop && stop()) return false;  // what went out of this batch may come as duplicates
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        tickets_ = batch.ticket;
        unconfirmed_.push_back(std::move(batch));
        ticket = tickets_;
        return true;
    }

    uint64_t durable() override {
        if (!unconfirmed_.empty() && link_.current() && link_.generation() == ready_generation_) {
            try {
                read_confirms(*link_.current(), timeval{0, 0});
            } catch (const QueueError& e) {
                link_.fail(e.what());  // published again on the next send or wait
            }
        }
        return durable_ticket();
    }

    bool wait_durable(uint64_t ticket, const StopToken& stop) override {
        while (durable_ticket() < ticket) {
            const Progress p = repair_and_read_confirms(timeval{0, 100000});
            if (p == Progress::confirmed) continue;
            if (stop && stop()) return false;  // unconfirmed: the caller keeps its input
            if (p == Progress::no_connection) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return true;
    }

    // What a host with no input waiting calls: the repair wait_durable makes, without waiting for
    // the broker's confirms.
    void sync() override {
        if (!unconfirmed_.empty()) (void)repair_and_read_confirms(timeval{0, 0});
    }

 private:
    enum class Progress { no_connection, nothing_yet, confirmed };

    // Connects again once the back-off allows, publishes again what a lost connection took, and
    // reads the confirms that come within `wait`.
    Progress repair_and_read_confirms(timeval wait) {
        AmqpConnection* c = ready_connection();
        if (!c) return Progress::no_connection;
        try {
            publish_stale(*c);
            return read_confirms(*c, wait) ? Progress::confirmed : Progress::nothing_yet;
        } catch (const QueueError& e) {
            link_.fail(e.what());
            return Progress::no_connection;
        }
    }

    uint64_t durable_ticket() const { return unconfirmed_.empty() ? tickets_ : unconfirmed_.front().ticket - 1; }

    // The connection in publisher-confirm mode with the queue declared, or nullptr during back-off.
    AmqpConnection* ready_connection() {
        const uint64_t before = link_.generation();
        AmqpConnection* c = link_.get();
        if (!c || link_.generation() == before) return c;
        try {
            // The queue must exist before publishing: the default exchange drops messages for a
            // queue nobody declared.
            c->declare_queue(queue_, link_.settings().queue_type, false);
            amqp_confirm_select(c->state(), 1);
            c->check(amqp_get_rpc_reply(c->state()), "confirm.select");
            published_ = confirmed_ = 0;
            out_of_order_.clear();
            ready_generation_ = link_.generation();
            return c;
        } catch (const QueueError& e) {
            link_.fail(e.what());
            return nullptr;
        }
    }

    // Every batch last published on an earlier connection goes again, oldest first: its confirms
    // can no longer come.
    void publish_stale(AmqpConnection& c) {
        for (Unconfirmed& batch : unconfirmed_)
            if (batch.generation != link_.generation()) publish(c, batch);
    }

    void publish(AmqpConnection& c, Unconfirmed& batch) {
        std::vector<std::string_view> records;
        records.reserve(batch.sizes.size());
        size_t at = 0;
        for (size_t size : batch.sizes) {
            records.emplace_back(batch.bytes.data() + at, size);
            at += size;
        }
        amqp_basic_properties_t props{};
        props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
        props.delivery_mode = 2;  // persistent
        const amqp_bytes_t routing_key = amqp_cstring_bytes(queue_.c_str());
        const auto per_message = static_cast<size_t>(std::max<int64_t>(1, link_.settings().records_per_message));
        pack_amqp_records(records, per_message, scratch_, [&](std::string_view body, bool packed) {
            const std::string_view type = packed ? kAmqpPackedType : kAmqpRecordType;
            props.content_type = amqp_bytes_t{type.size(), const_cast<char*>(type.data())};
            c.check_status(amqp_basic_publish(c.state(), 1, amqp_empty_bytes, routing_key, 0, 0, &props,
                                              amqp_bytes_t{body.size(), const_cast<char*>(body.data())}),
                           "publish to " + queue_);
            ++published_;
        });
        batch.generation = link_.generation();
        batch.last_tag = published_;
    }

    // Reads what the broker sent within `wait` (confirms, or a refusal) and forgets the batches now
    // wholly confirmed. True if a frame came.
    bool read_confirms(AmqpConnection& c, timeval wait) {
        amqp_frame_t frame;
        const int rc = amqp_simple_wait_frame_noblock(c.state(), &frame, &wait);
        if (rc == AMQP_STATUS_TIMEOUT) return false;
        c.check_status(rc, "waiting for publisher confirms");
        if (frame.frame_type == AMQP_FRAME_METHOD) {
            switch (frame.payload.method.id) {
                case AMQP_BASIC_ACK_METHOD: {
                    auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
                    confirm(ack->delivery_tag, ack->multiple != 0);
                    break;
                }
                case AMQP_BASIC_NACK_METHOD:
                    throw QueueError("amqp " + c.display() + ": the broker refused a message for " + queue_ +
                                     " (basic.nack)");
                case AMQP_CHANNEL_CLOSE_METHOD:
                case AMQP_CONNECTION_CLOSE_METHOD: {
                    amqp_rpc_reply_t r{};
                    r.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
                    r.reply = frame.payload.method;
                    c.check(r, "publish to " + queue_);
                    break;
                }
                default:
                    break;  // connection.blocked/unblocked (broker memory alarm): keep waiting
            }
        }
        while (!unconfirmed_.empty() && unconfirmed_.front().generation == link_.generation() &&
               unconfirmed_.front().last_tag <= confirmed_)
            unconfirmed_.pop_front();
        return true;
    }

    // Confirms arrive once per delivery tag, singly or for every tag up to one ("multiple").
    void confirm(uint64_t tag, bool multiple) {
        if (multiple) {
            confirmed_ = std::max(confirmed_, tag);
        } else {
            out_of_order_.insert(tag);
        }
        while (out_of_order_.count(confirmed_ + 1)) out_of_order_.erase(++confirmed_);
        out_of_order_.erase(out_of_order_.begin(), out_of_order_.upper_bound(confirmed_));
    }

    AmqpReconnect link_;
    std::string queue_;
    std::deque<Unconfirmed> unconfirmed_;  // oldest first
    uint64_t tickets_ = 0;                 // batches sent
    uint64_t ready_generation_ = 0;        // the connection set up for publishing
    uint64_t published_ = 0;               // delivery tags handed out on this connection
    uint64_t confirmed_ = 0;               // every tag up to this one is confirmed
    std::set<uint64_t> out_of_order_;
    std::string scratch_;  // the body of the packed message being published, reused
};

}  // namespace

std::unique_ptr<QueueProducer> open_amqp_producer(const AmqpSettings& settings, const std::string& queue,
                                                  BrokerLog log) {
    return std::make_unique<AmqpProducer>(settings, queue, std::move(log));
}

}  // namespace sluice
