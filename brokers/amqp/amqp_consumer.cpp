// SPDX-License-Identifier: AGPL-3.0-or-later
// Consuming a bot's queue: manual acknowledgements, a prefetch of about two batches (one being
// processed, one on its way), and one basic.ack with `multiple` per batch. A packed message
// (amqp_packing.hpp) is split into its records; it is taken and acknowledged whole, so take() can
// return more than `max` records. Deliveries taken on a connection that has since been lost are
// not acknowledged: the broker delivers them again, packed messages whole.
#include <sys/time.h>

#include <algorithm>
#include <deque>
#include <thread>

#include "amqp_packing.hpp"
#include "amqp_reconnect.hpp"

namespace sluice {
namespace {

// How long take() waits for the next message of a batch, and for the whole batch at most.
constexpr suseconds_t kGatherGapUs = 2000;
constexpr auto kGatherAtMost = std::chrono::milliseconds(50);
// The prefetch never goes below this many messages (while a batch is that large), so batches that
// were published smaller than records_per_message still arrive several at a time.
constexpr size_t kMinPrefetch = 8;

bool is_packed(const amqp_message_t& m) {
    if (!(m.properties._flags & AMQP_BASIC_CONTENT_TYPE_FLAG)) return false;
    const amqp_bytes_t& t = m.properties.content_type;
    return std::string_view(static_cast<const char*>(t.bytes), t.len) == kAmqpPackedType;
}

// The broker counts prefetch in messages, whatever they hold: about two batches' worth of messages
// of `per_message` records, which bounds what waits in this process to about two batches plus one
// message, for packed and single-record messages (2 × batch of those) alike.
uint16_t prefetch_for(size_t batch, size_t per_message) {
    per_message = std::max<size_t>(1, per_message);
    const size_t messages = std::max(2 * ((batch + per_message - 1) / per_message), std::min(kMinPrefetch, 2 * batch));
    return static_cast<uint16_t>(std::clamp<size_t>(messages, 1, 65535));
}

class AmqpConsumer final : public QueueConsumer {
    struct Take {
        uint64_t last_tag = 0;
        uint64_t generation = 0;  // of the connection the deliveries came on
    };

 public:
    AmqpConsumer(const AmqpSettings& settings, std::string queue, BrokerLog log)
        : link_(settings, std::move(log)), queue_(std::move(queue)) {}

    ~AmqpConsumer() override { release(); }

    const std::vector<std::string_view>& take(size_t max, std::chrono::milliseconds wait) override {
        release();
        AmqpConnection* c = ready_connection(max);
        if (!c) {
            std::this_thread::sleep_for(std::min(wait, std::chrono::milliseconds(200)));
            return views_;
        }
        try {
            timeval first{static_cast<time_t>(wait.count() / 1000),
                          static_cast<suseconds_t>(wait.count() % 1000 * 1000)};
            // Once something arrived, gather more while the broker keeps them coming: a producer
            // publishes a batch as several messages (one per record when records_per_message = 1
            // or from IntelMQ), and a batch cut short here costs a whole round of
            // publish-and-confirm downstream.
            timeval gap{0, kGatherGapUs};
            uint64_t last_tag = 0;
            const auto until = std::chrono::steady_clock::now() + kGatherAtMost;
            while (views_.size() < max && (envelopes_.empty() || std::chrono::steady_clock::now() < until)) {
                amqp_maybe_release_buffers(c->state());
                amqp_envelope_t envelope;
                const amqp_rpc_reply_t r =
                    amqp_consume_message(c->state(), &envelope, envelopes_.empty() ? &first : &gap, 0);
                if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) break;
                c->check(r, "consume from " + queue_);
                envelopes_.push_back(envelope);
                const amqp_bytes_t& body = envelope.message.body;
                unpack_amqp_records(std::string_view(static_cast<const char*>(body.bytes), body.len),
                                    is_packed(envelope.message), views_);
                last_tag = envelope.delivery_tag;
            }
            if (!envelopes_.empty()) {
                adapt_prefetch(*c, max);
                takes_.push_back(Take{last_tag, link_.generation()});
            }
        } catch (const QueueError& e) {
            // What was taken on the lost connection comes again from the broker. Earlier takes
            // stay listed, so that ack_oldest() keeps matching the caller's batches; those of the
            // lost connection are simply not acknowledged.
            link_.fail(e.what());
            release();
        }
        return views_;
    }

    void ack() override {
        release();
        if (takes_.empty()) return;
        const Take last = takes_.back();
        takes_.clear();
        acknowledge(last);
    }

    void ack_oldest() override {
        if (takes_.empty()) return;
        const Take oldest = takes_.front();
        takes_.pop_front();
        acknowledge(oldest);
    }

 private:
    AmqpConnection* ready_connection(size_t batch) {
        const uint64_t before = link_.generation();
        AmqpConnection* c = link_.get();
        if (!c || link_.generation() == before) return c;
        try {
            c->declare_queue(queue_, link_.settings().queue_type, false);
            // Until messages show otherwise, they are packed as this configuration packs them.
            prefetch_ =
                prefetch_for(batch, static_cast<size_t>(std::max<int64_t>(1, link_.settings().records_per_message)));
            start_consuming(*c);
            return c;
        } catch (const QueueError& e) {
            link_.fail(e.what());
            return nullptr;
        }
    }

    // basic.qos with the prefetch, then basic.consume: RabbitMQ sets a consumer's prefetch when it
    // starts consuming, a later basic.qos does not change it.
    void start_consuming(AmqpConnection& c) {
        amqp_basic_qos(c.state(), 1, 0, prefetch_, 0);
        c.check(amqp_get_rpc_reply(c.state()), "basic.qos");
        auto* ok = amqp_basic_consume(c.state(), 1, amqp_cstring_bytes(queue_.c_str()), amqp_empty_bytes, 0,
                                      /*no_ack*/ 0, /*exclusive*/ 0, amqp_empty_table);
        c.check(amqp_get_rpc_reply(c.state()), "basic.consume " + queue_);
        consumer_tag_.assign(static_cast<const char*>(ok->consumer_tag.bytes), ok->consumer_tag.len);
    }

    // The messages of a queue need not be packed as this configuration packs them: IntelMQ (or a
    // Sluice with records_per_message = 1) writes one record per message, and a prefetch of a few
    // messages would then cut every batch to a few records. So when a take stopped short of `batch`
    // because the whole prefetch was in hand, the prefetch grows to two batches at the records per
    // message this take saw; larger messages than that bring it down again. A change needs a factor
    // of 4, so that it does not flap, and means consuming anew (basic.cancel, basic.qos,
    // basic.consume) on the same channel: deliveries taken before stay unacknowledged on it and
    // ack() acknowledges them as before (delivery tags count per channel); those arriving during
    // the cancel are kept queued by rabbitmq-c for amqp_consume_message.
    void adapt_prefetch(AmqpConnection& c, size_t batch) {
        const uint16_t wanted = prefetch_for(batch, views_.size() / envelopes_.size());
        const bool starved = views_.size() < batch && envelopes_.size() >= prefetch_;
        const bool grow = starved && wanted >= 4 * static_cast<size_t>(prefetch_);
        const bool shrink = 4 * static_cast<size_t>(wanted) <= prefetch_;
        if (!grow && !shrink) return;
        amqp_basic_cancel(c.state(), 1, amqp_bytes_t{consumer_tag_.size(), consumer_tag_.data()});
        c.check(amqp_get_rpc_reply(c.state()), "basic.cancel " + queue_);
        prefetch_ = wanted;
        start_consuming(c);
    }

    // One basic.ack with `multiple` up to the take's last delivery tag: the takes before it were
    // acknowledged already, or go with it.
    void acknowledge(const Take& take) {
        if (take.generation != link_.generation()) return;  // those deliveries come again anyway
        AmqpConnection* c = link_.get();
        if (!c) return;
        const int rc = amqp_basic_ack(c->state(), 1, take.last_tag, /*multiple*/ 1);
        if (rc != AMQP_STATUS_OK)
            link_.fail("amqp " + c->display() + ": ack on " + queue_ + ": " + amqp_error_string2(rc));
    }

    // The bodies of the last take are freed; only the delivery tags are kept until acknowledged.
    void release() {
        for (auto& e : envelopes_) amqp_destroy_envelope(&e);
        envelopes_.clear();
        views_.clear();
    }

    AmqpReconnect link_;
    std::string queue_;
    std::vector<amqp_envelope_t> envelopes_;
    std::vector<std::string_view> views_;
    std::deque<Take> takes_;    // not acknowledged yet, oldest first
    uint16_t prefetch_ = 0;     // the basic.qos prefetch_count in force, in messages
    std::string consumer_tag_;  // the broker's name for the current basic.consume
};

}  // namespace

std::unique_ptr<QueueConsumer> open_amqp_consumer(const AmqpSettings& settings, const std::string& queue,
                                                  BrokerLog log) {
    return std::make_unique<AmqpConsumer>(settings, queue, std::move(log));
}

}  // namespace sluice
