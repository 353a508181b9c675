// SPDX-License-Identifier: AGPL-3.0-or-later
// Publishing a batch: its records packed into persistent messages of up to records_per_message
// records each (amqp_packing.hpp), then wait until the broker confirmed all of them. Any failure
// publishes the whole batch again on a new connection.
#include <sys/time.h>

#include <set>
#include <thread>

#include "amqp_packing.hpp"
#include "amqp_reconnect.hpp"

namespace sluice {
namespace {

class AmqpProducer final : public QueueProducer {
 public:
    AmqpProducer(const AmqpSettings& settings, std::string queue, BrokerLog log)
        : link_(settings, std::move(log)), queue_(std::move(queue)) {}

    bool append(const std::vector<std::string_view>& records, const StopToken& stop) override {
        if (records.empty()) return true;
        for (;;) {
            if (AmqpConnection* c = ready_connection()) {
                try {
                    if (publish(*c, records, stop)) return true;
                    return false;  // stopped while waiting for confirms: the caller keeps its input
                } catch (const QueueError& e) {
                    link_.fail(e.what());
                }
            }
            if (stop && stop()) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

 private:
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
            return c;
        } catch (const QueueError& e) {
            link_.fail(e.what());
            return nullptr;
        }
    }

    bool publish(AmqpConnection& c, const std::vector<std::string_view>& records, const StopToken& stop) {
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
        return wait_for_confirms(c, stop);
    }

    bool wait_for_confirms(AmqpConnection& c, const StopToken& stop) {
        while (confirmed_ < published_) {
            amqp_frame_t frame;
            timeval step{0, 100000};
            const int rc = amqp_simple_wait_frame_noblock(c.state(), &frame, &step);
            if (rc == AMQP_STATUS_TIMEOUT) {
                if (stop && stop()) return false;
                continue;
            }
            c.check_status(rc, "waiting for publisher confirms");
            if (frame.frame_type != AMQP_FRAME_METHOD) continue;
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
    uint64_t published_ = 0;  // delivery tags handed out on this connection
    uint64_t confirmed_ = 0;  // every tag up to this one is confirmed
    std::set<uint64_t> out_of_order_;
    std::string scratch_;  // the body of the packed message being published, reused
};

}  // namespace

std::unique_ptr<QueueProducer> open_amqp_producer(const AmqpSettings& settings, const std::string& queue,
                                                  BrokerLog log) {
    return std::make_unique<AmqpProducer>(settings, queue, std::move(log));
}

}  // namespace sluice
