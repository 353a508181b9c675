// SPDX-License-Identifier: AGPL-3.0-or-later
#include "queues.hpp"

#include <filesystem>
#include <iomanip>
#include <iostream>

#include "check.hpp"
#include "cli_error.hpp"
#include "sluice/core/config.hpp"
#include "sluice/core/message.hpp"
#include "transport_factory.hpp"

namespace sluice::ctl {

int run_list_queues(const std::string& config, bool json, bool non_zero, bool sum) {
    const Config cfg = load_or_throw(config);
    auto transports = make_transport_factory();
    std::string out = "{";
    bool first = true;
    bool unreachable = false;
    uint64_t total = 0;
    for (const auto& [id, b] : cfg.bots) {
        // No input here: remote bots, and bots nothing sends to (collectors), unless something was
        // put into their file queue by hand (a dump replay, sluicectl run).
        if (b.remote || (cfg.producers_of(id).empty() && !std::filesystem::exists(cfg.queue_dir(id)))) continue;
        // One line per transport the bot's input arrives on: a bot may be fed over several.
        for (const auto& transport : cfg.input_transports(id)) {
            QueueStats s;
            std::string problem;
            try {
                s = transports->stats(cfg, id, transport);
            } catch (const std::exception& e) {
                problem = e.what();
                unreachable = true;
            }
            total += s.records;
            if (sum || (non_zero && s.records == 0 && problem.empty())) continue;
            const std::string queue = id + "-queue";
            if (json) {
                if (!first) out += ',';
                first = false;
                append_json_string(out, queue + (cfg.input_transports(id).size() > 1 ? "@" + transport : ""));
                out += ":{\"bot\":";
                append_json_string(out, id);
                // A queue that could not be read has no count: null, not a 0 a script would believe.
                const auto count = [&](uint64_t n) { return problem.empty() ? std::to_string(n) : "null"; };
                out += ",\"messages\":" + count(s.records) + ",\"bytes\":" + count(s.bytes) + ",\"transport\":";
                append_json_string(out, transport);
                if (!problem.empty()) {
                    out += ",\"error\":";
                    append_json_string(out, problem);
                }
                out += "}";
            } else {
                std::cout << std::left << std::setw(32) << queue << std::right << std::setw(10)
                          << (problem.empty() ? std::to_string(s.records) : "?") << "  " << transport
                          << (transport == "zmq" ? " (in flight)" : "")
                          // The broker counts messages; packed, each holds a batch of records.
                          << (transport == "amqp" && cfg.amqp.records_per_message > 1
                                  ? " (messages of up to " + std::to_string(cfg.amqp.records_per_message) + " records)"
                                  : "")
                          << (problem.empty() ? "" : "  " + problem) << "\n";
            }
        }
    }
    if (sum) {
        if (json)
            std::cout << "{\"messages\":" << total << "}\n";
        else
            std::cout << total << "\n";
    } else if (json) {
        std::cout << out << "}\n";
    }
    return unreachable ? 1 : 0;
}

}  // namespace sluice::ctl

namespace sluice::ctl {

int run_clear(const std::string& config, const std::string& queue, bool json) {
    const Config cfg = load_or_throw(config);
    // IntelMQ names queues "<bot>-queue"; the bot id alone is accepted too.
    std::string bot = queue;
    if (!cfg.bots.count(bot) && bot.size() > 6 && bot.compare(bot.size() - 6, 6, "-queue") == 0)
        bot.resize(bot.size() - 6);
    if (!cfg.bots.count(bot) || cfg.bots.at(bot).remote)
        throw usage_error("unknown queue '" + queue + "' (no bot of that name runs from " + config + ")");
    auto transports = make_transport_factory();
    uint64_t total = 0;
    for (const auto& transport : cfg.input_transports(bot)) {
        try {
            total += transports->clear(cfg, bot, transport);
        } catch (const std::exception& e) {
            throw CliError(bot + "-queue (" + transport + "): " + e.what() +
                               (transport == "file" ? " (stop the bot first: sluicectl stop " + bot + ")" : ""),
                           1);
        }
    }
    if (json)
        std::cout << "{\"queue\":\"" << bot << "-queue\",\"cleared\":" << total << "}\n";
    else
        std::cout << bot << "-queue: " << total << " message" << (total == 1 ? "" : "s") << " removed\n";
    return 0;
}

}  // namespace sluice::ctl
