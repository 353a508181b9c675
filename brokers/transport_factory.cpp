// SPDX-License-Identifier: AGPL-3.0-or-later
#include "transport_factory.hpp"

#include <map>

#include "sluice/brokers/amqp_queue.hpp"
#include "sluice/brokers/file_queue.hpp"
#include "sluice/brokers/zmq_queue.hpp"
#include "sluice/core/stats.hpp"

namespace sluice {
namespace {

// Unix socket paths are limited to 107 bytes (sun_path).
constexpr size_t kMaxIpcPath = 107;

class Factory final : public TransportFactory {
 public:
    Factory(TransportLog log, DiskFullHook on_disk_full)
        : log_(std::move(log)), on_disk_full_(std::move(on_disk_full)) {
        if (log_) broker_log_ = [log = log_](const std::string& m) { log(LogLevel::warning, m); };
    }

    std::unique_ptr<QueueProducer> producer(const Config& cfg, const EdgeTarget& target) override {
        if (target.transport == "file") return open_file_producer(cfg.queue_dir(target.bot), file_options(cfg));
        if (target.transport == "zmq") return open_zmq_producer(zmq_endpoint(cfg, target.bot), zmq_options(cfg));
        if (target.transport == "amqp") return open_amqp_producer(cfg.amqp, amqp_queue_name(target.bot), broker_log_);
        throw unknown(target.transport);
    }
    std::unique_ptr<QueueConsumer> consumer(const Config& cfg, const std::string& bot,
                                            const std::string& transport) override {
        if (transport == "file") return open_file_consumer(cfg.queue_dir(bot), file_options(cfg));
        if (transport == "zmq") return open_zmq_consumer(zmq_bind(cfg, bot), zmq_options(cfg));
        if (transport == "amqp") return open_amqp_consumer(cfg.amqp, amqp_queue_name(bot), broker_log_);
        throw unknown(transport);
    }
    QueueStats stats(const Config& cfg, const std::string& bot, const std::string& transport) override {
        if (transport == "file") return file_queue_stats(cfg.queue_dir(bot));
        if (transport == "amqp") return amqp_queue_stats(cfg.amqp, amqp_queue_name(bot));
        if (transport == "zmq") {
            // ZeroMQ keeps no queue: what waits is the batches the receiving host holds unacknowledged.
            BotStats s;
            QueueStats q;
            if (BotStats::read(cfg.stats_file(bot), s) && s.state == "running") q.records = s.in_flight;
            return q;
        }
        throw unknown(transport);
    }
    bool has_waiting(const Config& cfg, const std::string& bot, const std::string& transport) override {
        // file_queue_stats reads every waiting record to count them; the bytes after the cursor
        // come from the directory alone.
        if (transport == "file") return file_queue_backlog_bytes(cfg.queue_dir(bot)) > 0;
        return stats(cfg, bot, transport).records > 0;
    }
    uint64_t clear(const Config& cfg, const std::string& bot, const std::string& transport) override {
        if (transport == "file") {
            // Taking the queue as its consumer fails while the bot's host holds it; then every
            // record is taken and acknowledged, which deletes the segments as consuming does.
            auto consumer = open_file_consumer(cfg.queue_dir(bot), file_options(cfg));
            uint64_t n = 0;
            for (;;) {
                const auto& records = consumer->take(10000, std::chrono::milliseconds(0));
                if (records.empty()) break;
                n += records.size();
                consumer->ack();
            }
            return n;
        }
        if (transport == "amqp") return amqp_queue_purge(cfg.amqp, amqp_queue_name(bot));
        if (transport == "zmq") return 0;  // nothing waits anywhere but in the receiving host's batch
        throw unknown(transport);
    }
    std::vector<std::string> check(const Config& cfg) override {
        std::vector<std::string> problems;
        const auto used = cfg.transports_in_use();
        auto uses = [&](const char* t) { return std::find(used.begin(), used.end(), t) != used.end(); };
        if (uses("amqp")) {
            const std::string why = amqp_probe(cfg.amqp);
            if (!why.empty()) problems.push_back("transports.amqp: broker unreachable: " + why);
        }
        if (uses("zmq")) {
            std::map<std::string, std::string> bound;  // endpoint → bot
            for (const auto& [id, b] : cfg.bots) {
                const auto inputs = cfg.input_transports(id);
                if (b.remote || std::find(inputs.begin(), inputs.end(), "zmq") == inputs.end()) continue;
                const std::string endpoint = zmq_bind(cfg, id);
                if (auto [it, fresh] = bound.emplace(endpoint, id); !fresh)
                    problems.push_back("transports.zmq: bots " + it->second + " and " + id + " both listen on " +
                                       endpoint);
                if (endpoint.rfind("ipc://", 0) == 0 && endpoint.size() - 6 > kMaxIpcPath)
                    problems.push_back("transports.zmq: the socket path of bot " + id + " is longer than " +
                                       std::to_string(kMaxIpcPath) + " bytes (" + endpoint +
                                       "); set [transports.zmq.endpoints] " + id + " = \"ipc://<shorter path>\"");
            }
        }
        return problems;
    }

 private:
    static QueueError unknown(const std::string& transport) {
        return QueueError("transport '" + transport + "' is not part of this build");
    }
    FileQueueOptions file_options(const Config& cfg) const {
        FileQueueOptions o;
        o.log = log_;
        o.on_disk_full = on_disk_full_;
        o.reserve_bytes = cfg.file_queue_reserve_bytes;
        o.reserve_percent = static_cast<unsigned>(cfg.file_queue_reserve_percent);
        o.max_bytes = cfg.file_queue_max_bytes;
        o.segment_bytes = cfg.file_queue_segment_bytes;
        return o;
    }
    static ZmqOptions zmq_options(const Config& cfg) {
        ZmqOptions o;
        o.heartbeat = std::chrono::milliseconds(static_cast<int64_t>(cfg.zmq.heartbeat * 1000));
        return o;
    }
    // Where senders connect to reach `bot`.
    static std::string zmq_endpoint(const Config& cfg, const std::string& bot) {
        if (auto it = cfg.zmq.endpoints.find(bot); it != cfg.zmq.endpoints.end()) return it->second;
        return "ipc://" + (cfg.var_dir / "run" / (bot + ".zmq")).string();
    }
    // What `bot`'s host binds: its own bind address, else the address senders use.
    static std::string zmq_bind(const Config& cfg, const std::string& bot) {
        if (auto it = cfg.zmq.bind.find(bot); it != cfg.zmq.bind.end()) return it->second;
        return zmq_endpoint(cfg, bot);
    }

    TransportLog log_;
    DiskFullHook on_disk_full_;
    BrokerLog broker_log_;
};

}  // namespace

std::unique_ptr<TransportFactory> make_transport_factory(TransportLog log, DiskFullHook on_disk_full) {
    return std::make_unique<Factory>(std::move(log), std::move(on_disk_full));
}

}  // namespace sluice
