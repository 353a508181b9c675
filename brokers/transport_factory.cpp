// SPDX-License-Identifier: AGPL-3.0-or-later
#include "transport_factory.hpp"

#include "sluice/brokers/file_queue.hpp"

namespace sluice {
namespace {

class Factory final : public TransportFactory {
 public:
    std::unique_ptr<QueueProducer> producer(const Config& cfg, const EdgeTarget& target) override {
        check(target.transport);
        return open_file_producer(cfg.queue_dir(target.bot), options(cfg));
    }
    std::unique_ptr<QueueConsumer> consumer(const Config& cfg, const std::string& bot,
                                            const std::string& transport) override {
        check(transport);
        return open_file_consumer(cfg.queue_dir(bot), options(cfg));
    }
    QueueStats stats(const Config& cfg, const std::string& bot, const std::string& transport) override {
        check(transport);
        return file_queue_stats(cfg.queue_dir(bot));
    }

 private:
    static void check(const std::string& transport) {
        if (transport != "file") throw QueueError("transport '" + transport + "' is not part of this build");
    }
    static FileQueueOptions options(const Config& cfg) {
        FileQueueOptions o;
        o.max_bytes = cfg.file_queue_max_bytes;
        o.segment_bytes = cfg.file_queue_segment_bytes;
        return o;
    }
};

}  // namespace

std::unique_ptr<TransportFactory> make_transport_factory() { return std::make_unique<Factory>(); }

}  // namespace sluice
