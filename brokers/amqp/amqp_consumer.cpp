// SPDX-License-Identifier: AGPL-3.0-or-later
// Consuming a bot's queue: manual acknowledgements, a prefetch of two batches (one being processed,
// one on its way), and one basic.ack with `multiple` per batch. Deliveries taken on a connection
// that has since been lost are not acknowledged: the broker delivers them again.
#include <sys/time.h>

#include <thread>

#include "amqp_reconnect.hpp"

namespace sluice {
namespace {

// How long take() waits for the next message of a batch, and for the whole batch at most.
constexpr suseconds_t kGatherGapUs = 2000;
constexpr auto kGatherAtMost = std::chrono::milliseconds(50);

class AmqpConsumer final : public QueueConsumer {
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
            // publishes a batch message by message, and a batch cut short here costs a whole
            // round of publish-and-confirm downstream.
            timeval gap{0, kGatherGapUs};
            const auto until = std::chrono::steady_clock::now() + kGatherAtMost;
            while (envelopes_.size() < max && (envelopes_.empty() || std::chrono::steady_clock::now() < until)) {
                amqp_maybe_release_buffers(c->state());
                amqp_envelope_t envelope;
                const amqp_rpc_reply_t r =
                    amqp_consume_message(c->state(), &envelope, envelopes_.empty() ? &first : &gap, 0);
                if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) break;
                c->check(r, "consume from " + queue_);
                envelopes_.push_back(envelope);
                last_tag_ = envelope.delivery_tag;
                tag_generation_ = link_.generation();
            }
        } catch (const QueueError& e) {
            // What was taken on the lost connection comes again from the broker.
            link_.fail(e.what());
            release();
            last_tag_ = 0;
        }
        for (const auto& e : envelopes_)
            views_.emplace_back(static_cast<const char*>(e.message.body.bytes), e.message.body.len);
        return views_;
    }

    void ack() override {
        release();
        if (last_tag_ == 0) return;
        const uint64_t tag = last_tag_;
        last_tag_ = 0;
        if (tag_generation_ != link_.generation()) return;  // those deliveries come again anyway
        AmqpConnection* c = link_.get();
        if (!c) return;
        const int rc = amqp_basic_ack(c->state(), 1, tag, /*multiple*/ 1);
        if (rc != AMQP_STATUS_OK)
            link_.fail("amqp " + c->display() + ": ack on " + queue_ + ": " + amqp_error_string2(rc));
    }

 private:
    AmqpConnection* ready_connection(size_t batch) {
        const uint64_t before = link_.generation();
        AmqpConnection* c = link_.get();
        if (!c || link_.generation() == before) return c;
        try {
            c->declare_queue(queue_, link_.settings().queue_type, false);
            const auto prefetch = static_cast<uint16_t>(std::min<size_t>(batch * 2, 65535));
            amqp_basic_qos(c->state(), 1, 0, prefetch, 0);
            c->check(amqp_get_rpc_reply(c->state()), "basic.qos");
            amqp_basic_consume(c->state(), 1, amqp_cstring_bytes(queue_.c_str()), amqp_empty_bytes, 0,
                               /*no_ack*/ 0, /*exclusive*/ 0, amqp_empty_table);
            c->check(amqp_get_rpc_reply(c->state()), "basic.consume " + queue_);
            return c;
        } catch (const QueueError& e) {
            link_.fail(e.what());
            return nullptr;
        }
    }

    // The bodies of the last take are freed; only the delivery tag is kept until ack().
    void release() {
        for (auto& e : envelopes_) amqp_destroy_envelope(&e);
        envelopes_.clear();
        views_.clear();
    }

    AmqpReconnect link_;
    std::string queue_;
    std::vector<amqp_envelope_t> envelopes_;
    std::vector<std::string_view> views_;
    uint64_t last_tag_ = 0;
    uint64_t tag_generation_ = 0;
};

}  // namespace

std::unique_ptr<QueueConsumer> open_amqp_consumer(const AmqpSettings& settings, const std::string& queue,
                                                  BrokerLog log) {
    return std::make_unique<AmqpConsumer>(settings, queue, std::move(log));
}

}  // namespace sluice
