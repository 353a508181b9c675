// SPDX-License-Identifier: AGPL-3.0-or-later
#include "queues.hpp"

#include <iomanip>
#include <iostream>

#include "sluice/core/config.hpp"
#include "sluice/core/message.hpp"
#include "transport_factory.hpp"

namespace sluice::ctl {

int run_list_queues(const std::string& config, bool json, bool non_zero, bool sum) {
    std::vector<std::string> errors;
    Config cfg = load_config(config, errors);
    if (!errors.empty()) {
        for (const auto& e : errors) std::cerr << e << "\n";
        return 1;
    }
    auto transports = make_transport_factory();
    std::string out = "{";
    bool first = true;
    bool unreachable = false;
    uint64_t total = 0;
    for (const auto& [id, b] : cfg.bots) {
        if (b.remote || cfg.producers_of(id).empty()) continue;  // no input here
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
                out += ",\"messages\":" + std::to_string(s.records) + ",\"bytes\":" + std::to_string(s.bytes) +
                       ",\"transport\":";
                append_json_string(out, transport);
                if (!problem.empty()) {
                    out += ",\"error\":";
                    append_json_string(out, problem);
                }
                out += "}";
            } else {
                std::cout << std::left << std::setw(32) << queue << std::right << std::setw(10)
                          << (problem.empty() ? std::to_string(s.records) : "?") << "  " << transport
                          << (transport == "zmq" ? " (in flight)" : "") << (problem.empty() ? "" : "  " + problem)
                          << "\n";
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
