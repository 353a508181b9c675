// SPDX-License-Identifier: AGPL-3.0-or-later
//
// collector_tcp: IntelMQ's TCP collector (intelmq/bots/collectors/tcp/collector.py). Listens on
// ip:port for IntelMQ's TCP output (or Sluice's output_tcp): messages framed by a 4-byte big-endian
// length, each answered with "Ok". A message that is an IntelMQ event in JSON is passed on as that
// event (IntelMQ's collector wraps it into a report's raw instead; intelmq_messages = false does
// that too); anything else becomes a report with raw = the message. With `separator`, the stream
// is plain records (newline-delimited logs, say): no answers, and the records of one collect
// round become one report.
//
// The "Ok" is sent in on_durable, after the host made everything emitted in the round durable
// downstream, so a sender that has its "Ok" may forget the message. IntelMQ's collector answers
// at once, before its message is stored.
#include <sluice/bot.hpp>

#include <algorithm>
#include <chrono>
#include <memory>

#include "message_framing.hpp"
#include "received_message.hpp"
#include "tcp_listener.hpp"

namespace {

using namespace sluice::collector_tcp;

constexpr std::string_view kAck = "Ok";
// Messages taken in one collect round; the rest waits for the next round.
constexpr size_t kMaxPerRound = 10000;

class TcpCollector {
 public:
    TcpCollector(const sluice::Params& p, sluice::Context& ctx)
        : listener_(open_listener(p)),
          intelmq_messages_(p.boolean("intelmq_messages", true)),
          separator_(p.get("separator")),
          max_size_(static_cast<size_t>(p.integer("max_message_size", 64 << 20))),
          wait_ms_(static_cast<int>(p.number("wait", 1.0) * 1000)),
          name_(p.string("name")),
          provider_(p.string("provider")),
          accuracy_(p.string("accuracy")),
          code_(p.string("code")),
          documentation_(p.string("documentation")) {
        if (separator_ && separator_->empty()) throw sluice::FatalError("parameter 'separator' is empty");
        if (p.integer("max_message_size", 1) < 1)
            throw sluice::FatalError("parameter 'max_message_size' must be positive");
        if (wait_ms_ < 0) throw sluice::FatalError("parameter 'wait' must not be negative");
        ctx.info("listening on " + listener_.address() +
                 (separator_ ? " for separated records" : " for length-prefixed messages"));
    }

    sluice::Status collect(sluice::Context& ctx) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms_);
        size_t taken = 0;
        for (;;) {
            // Wait for the first data of the round; after that only take what is already there.
            int slice = 0;
            if (taken == 0) {
                const auto left =
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
                        .count();
                slice = static_cast<int>(std::clamp<long long>(left, 0, 100));
            }
            const bool arrived = listener_.poll_once(slice);
            taken += take_messages(ctx, kMaxPerRound - taken);
            if (taken >= kMaxPerRound || ctx.should_stop()) break;
            if (taken > 0 ? !arrived : std::chrono::steady_clock::now() >= deadline) break;
        }
        if (separator_ && !records_.empty()) emit_records(ctx);
        return sluice::Status::ok;
    }

    // Everything taken so far is durable downstream (or dumped): now the senders may forget it.
    void on_durable(sluice::Context&) {
        for (auto& peer : listener_.peers()) {
            if (peer->unacked == 0) continue;
            std::string acks;
            for (size_t i = 0; i < peer->unacked; ++i) acks += kAck;
            listener_.send(*peer, acks);
            peer->unacked = 0;
        }
        listener_.drop_closed();
    }

 private:
    static TcpListener open_listener(const sluice::Params& p) {
        const int64_t port = p.integer("port");
        if (port < 1 || port > 65535)
            throw sluice::FatalError("parameter 'port' = " + std::to_string(port) + ": not a port");
        try {
            return TcpListener(p.string("ip", "127.0.0.1"), static_cast<int>(port));
        } catch (const std::exception& e) {
            throw sluice::FatalError(std::string("parameters 'ip' and 'port': ") + e.what());
        }
    }

    size_t take_messages(sluice::Context& ctx, size_t limit) {
        size_t taken = 0;
        std::vector<std::string> messages;
        for (auto& peer : listener_.peers()) {
            messages.clear();
            try {
                if (separator_) {
                    taken += take_records(peer->buffer, *separator_, max_size_, limit - taken, records_);
                } else {
                    const size_t n = take_frames(peer->buffer, max_size_, limit - taken, messages);
                    for (const auto& m : messages) handle_message(m, ctx);
                    peer->unacked += n;
                    taken += n;
                }
            } catch (const FramingError& e) {
                ctx.error("closing the connection from " + peer->name + ": " + e.what());
                ctx.count("connections_refused");
                peer->closed = true;
                peer->buffer.clear();
            }
            if (peer->closed && separator_ && !peer->buffer.empty() && taken < limit &&
                peer->buffer.size() <= max_size_) {
                // A plain sender that closes after its last record without a final separator
                // (`printf 'a\nb' | nc`) gets no answer to resend on: that record is taken as it is.
                records_.push_back(std::move(peer->buffer));
                peer->buffer.clear();
                ++taken;
            }
            if (peer->closed && !peer->buffer.empty()) {
                ctx.warning("connection from " + peer->name + " ended inside a message; its " +
                            std::to_string(peer->buffer.size()) + " bytes are dropped (the sender had no \"Ok\")");
                peer->buffer.clear();
            }
        }
        return taken;
    }

    void handle_message(const std::string& payload, sluice::Context& ctx) {
        const ReceivedKind kind = intelmq_messages_ ? received_kind(payload) : ReceivedKind::not_a_message;
        if (kind == ReceivedKind::not_a_message) {
            emit_report(payload, ctx);
            return;
        }
        sluice::Message msg = kind == ReceivedKind::report ? ctx.new_report() : ctx.new_event();
        if (auto why = fill_message(payload, msg)) {
            ctx.fail_record(payload, "received message refused: " + *why);
        } else {
            ctx.emit(msg);
            ctx.count(kind == ReceivedKind::report ? "reports_received" : "events_received");
        }
        ctx.discard(msg);
    }

    void emit_records(sluice::Context& ctx) {
        std::string raw;
        for (const auto& r : records_) {
            raw += r;
            raw += *separator_;
        }
        ctx.count("records_received", static_cast<int64_t>(records_.size()));
        records_.clear();
        emit_report(raw, ctx);
    }

    void emit_report(std::string_view raw, sluice::Context& ctx) {
        sluice::Message report = ctx.new_report();
        if (!name_.empty()) report.set("feed.name", name_);
        if (!provider_.empty()) report.set("feed.provider", provider_);
        if (!code_.empty()) report.set("feed.code", code_);
        if (!documentation_.empty()) report.set("feed.documentation", documentation_);
        if (!accuracy_.empty()) report.set("feed.accuracy", accuracy_);
        report.set("raw", raw);
        ctx.emit(report);
        ctx.discard(report);
        ctx.count("reports_sent");
    }

    TcpListener listener_;
    bool intelmq_messages_;
    std::optional<std::string_view> separator_;  // the host keeps parameter texts until destroy
    size_t max_size_;
    int wait_ms_;
    std::string name_, provider_, accuracy_, code_, documentation_;
    std::vector<std::string> records_;  // separated records of the current round
};

}  // namespace

SLUICE_EXPORT_BOT(
    TcpCollector, SLUICE_KIND_COLLECTOR, "collector_tcp", "1.0.0",
    "IntelMQ's TCP collector: receives length-prefixed messages (answering \"Ok\" once stored) or separated records",
    SLUICE_PARAM("ip", SLUICE_PARAM_STRING, 0, "\"127.0.0.1\"", "Address to listen on (0.0.0.0 or :: for all)"),
    SLUICE_PARAM("port", SLUICE_PARAM_INT, 1, nullptr, "Port to listen on"),
    SLUICE_PARAM(
        "intelmq_messages", SLUICE_PARAM_BOOL, 0, "true",
        "Pass a message that is an IntelMQ event in JSON on as that event (else each message becomes a report)"),
    SLUICE_PARAM("separator", SLUICE_PARAM_STRING, 0, nullptr,
                 "Read records ended by this text (such as \"\\n\") instead of length-prefixed messages; no answers"),
    SLUICE_PARAM("max_message_size", SLUICE_PARAM_INT, 0, "67108864",
                 "Largest message (or record) accepted; a larger one closes the connection"),
    SLUICE_PARAM("wait", SLUICE_PARAM_FLOAT, 0, "1.0", "Seconds one collect round waits for the first message"),
    SLUICE_PARAM("name", SLUICE_PARAM_STRING, 0, nullptr, "feed.name of the reports"),
    SLUICE_PARAM("provider", SLUICE_PARAM_STRING, 0, nullptr, "feed.provider of the reports"),
    SLUICE_PARAM("accuracy", SLUICE_PARAM_FLOAT, 0, nullptr, "feed.accuracy of the reports, 0 to 100"),
    SLUICE_PARAM("code", SLUICE_PARAM_STRING, 0, nullptr, "feed.code of the reports"),
    SLUICE_PARAM("documentation", SLUICE_PARAM_STRING, 0, nullptr, "feed.documentation of the reports"))
