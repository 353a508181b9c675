// SPDX-License-Identifier: AGPL-3.0-or-later
//
// output_tcp: IntelMQ's TCP output (intelmq/bots/outputs/tcp/output.py). Each event is sent as its
// JSON (IntelMQ's to_json: flat or hierarchical, without __type), framed by a 4-byte big-endian
// length, or followed by `separator` for plain receivers (Splunk, filebeat, netcat).
//
// With counterpart_is_intelmq, the receiver (IntelMQ's or Sluice's collector_tcp) answers "Ok" per
// message. IntelMQ waits for each answer before sending the next message; this bot sends the whole
// batch in flush and then reads one "Ok" per message, which the same receivers answer alike but
// costs one round trip per batch instead of per event. Sluice's collector_tcp answers only once
// the events are durable on its side, so an acknowledged batch here is a batch stored there. Flush
// succeeds only when every answer came: otherwise it reconnects and sends the batch again, and if
// that keeps failing, flush fails and the host delivers the batch again (at least once).
#include <sluice/bot.hpp>

#include <chrono>
#include <thread>

#include "tcp_client.hpp"

namespace {

using sluice::output_tcp::TcpClient;

constexpr std::string_view kAck = "Ok";
constexpr double kMaxReconnectPause = 30.0;

std::string event_json(const sluice::Message& event, bool hierarchical) {
    std::string json(event.json(hierarchical));
    // IntelMQ's TCP output writes the event without __type; the flat form starts with it.
    constexpr std::string_view type_first = "{\"__type\":\"Event\"";
    if (json.starts_with(type_first)) {
        json.erase(1, type_first.size() - 1 + (json.size() > type_first.size() && json[type_first.size()] == ','));
    }
    return json;
}

class TcpOutput {
 public:
    TcpOutput(const sluice::Params& p, sluice::Context& ctx)
        : client_(p.string("ip"), static_cast<int>(p.integer("port")), p.number("timeout", 15)),
          to_intelmq_(p.boolean("counterpart_is_intelmq", true)),
          hierarchical_(p.boolean("hierarchical_output")),
          separator_(p.get("separator")),
          reconnect_delay_(p.number("reconnect_delay", 1.0)),
          reconnect_attempts_(p.integer("reconnect_attempts", 3)) {
        if (p.string("ip").empty()) throw sluice::FatalError("parameter 'ip' is empty: name the receiving host");
        if (p.integer("port") < 1 || p.integer("port") > 65535)
            throw sluice::FatalError("parameter 'port' = " + std::to_string(p.integer("port")) + ": not a port");
        if (p.number("timeout", 15) <= 0) throw sluice::FatalError("parameter 'timeout' must be positive");
        if (separator_ && separator_->empty()) throw sluice::FatalError("parameter 'separator' is empty");
        if (separator_ && to_intelmq_) {
            throw sluice::FatalError(
                "parameters 'separator' and 'counterpart_is_intelmq' exclude each other: an IntelMQ or Sluice "
                "collector reads length-prefixed messages; set counterpart_is_intelmq = false for a plain receiver");
        }
        ctx.info("sending events to " + client_.peer() +
                 (separator_ ? " separated by a separator" : " length-prefixed") +
                 (to_intelmq_ ? ", waiting for \"Ok\" answers" : ""));
    }

    sluice::Status process(sluice::Message& event, sluice::Context&) {
        const std::string json = event_json(event, hierarchical_);
        if (separator_) {
            pending_ += json;
            pending_ += *separator_;
        } else {
            if (json.size() > 0xFFFFFFFFu) throw sluice::RejectError("event larger than 4 GiB cannot be framed");
            const auto n = static_cast<uint32_t>(json.size());
            const char length[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                                    static_cast<char>(n)};
            pending_.append(length, 4);
            pending_ += json;
        }
        ++pending_count_;
        return sluice::Status::ok;
    }

    sluice::Status flush(sluice::Context& ctx) {
        if (pending_count_ == 0) return sluice::Status::ok;
        double pause = reconnect_delay_;
        for (int64_t attempt = 0;; ++attempt) {
            try {
                send_batch();
                ctx.count("events_sent", static_cast<int64_t>(pending_count_));
                pending_.clear();
                pending_count_ = 0;
                return sluice::Status::ok;
            } catch (const std::exception& e) {
                // Whatever part of the batch arrived is sent again: duplicates, never losses.
                client_.close();
                if (attempt >= reconnect_attempts_) {
                    throw std::runtime_error("giving up after " + std::to_string(attempt + 1) +
                                             " attempt(s): " + e.what());
                }
                ctx.warning(std::string(e.what()) + "; sending the batch again in " + std::to_string(pause) + " s");
                wait(pause, ctx);
                pause = std::min(pause * 2, kMaxReconnectPause);
            }
        }
    }

 private:
    void send_batch() {
        if (!client_.connected()) client_.connect();
        client_.send_all(pending_);
        if (!to_intelmq_) return;
        for (size_t i = 0; i < pending_count_; ++i) {
            const std::string answer = client_.receive_exact(kAck.size());
            if (answer != kAck) {
                throw std::runtime_error(client_.peer() + " answered '" + answer + "' instead of \"Ok\" to message " +
                                         std::to_string(i + 1) + " of " + std::to_string(pending_count_));
            }
        }
    }

    static void wait(double seconds, sluice::Context& ctx) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        while (std::chrono::steady_clock::now() < until) {
            if (ctx.should_stop()) throw std::runtime_error("stopping; the batch will be delivered again");
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    TcpClient client_;
    bool to_intelmq_;
    bool hierarchical_;
    std::optional<std::string_view> separator_;  // the host keeps parameter texts until destroy
    double reconnect_delay_;
    int64_t reconnect_attempts_;
    std::string pending_;  // the batch, framed, until the receiver took (and acknowledged) it
    size_t pending_count_ = 0;
};

}  // namespace

SLUICE_EXPORT_BOT(
    TcpOutput, SLUICE_KIND_OUTPUT, "output_tcp", "1.0.0",
    "IntelMQ's TCP output: sends events as JSON, length-prefixed (to an IntelMQ or Sluice TCP collector) or "
    "separated",
    SLUICE_PARAM("ip", SLUICE_PARAM_STRING, 1, nullptr, "Host name or address of the receiver"),
    SLUICE_PARAM("port", SLUICE_PARAM_INT, 1, nullptr, "Port of the receiver"),
    SLUICE_PARAM("counterpart_is_intelmq", SLUICE_PARAM_BOOL, 0, "true",
                 "The receiver is an IntelMQ or Sluice TCP collector: wait for its \"Ok\" per message"),
    SLUICE_PARAM("hierarchical_output", SLUICE_PARAM_BOOL, 0, "false",
                 "Nest dotted keys: {\"source\": {\"ip\": ...}} instead of {\"source.ip\": ...}"),
    SLUICE_PARAM("separator", SLUICE_PARAM_STRING, 0, nullptr,
                 "Write each event followed by this text (such as \"\\n\") instead of length-prefixed"),
    SLUICE_PARAM("timeout", SLUICE_PARAM_FLOAT, 0, "15", "Seconds to wait for the connection, a send or an answer"),
    SLUICE_PARAM("reconnect_delay", SLUICE_PARAM_FLOAT, 0, "1.0",
                 "Seconds before sending a failed batch again; doubled after each failure, up to 30"),
    SLUICE_PARAM("reconnect_attempts", SLUICE_PARAM_INT, 0, "3",
                 "Attempts in one flush before it fails and the host delivers the batch again"))
