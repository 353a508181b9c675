// SPDX-License-Identifier: AGPL-3.0-or-later
#include "queues.hpp"

#include <iomanip>
#include <iostream>

#include "sluice/core/config.hpp"
#include "sluice/core/message.hpp"
#include "transport_factory.hpp"

namespace sluice::ctl {

int run_list_queues(const std::string& config, bool json, bool non_zero) {
    std::vector<std::string> errors;
    Config cfg = load_config(config, errors);
    if (!errors.empty()) {
        for (const auto& e : errors) std::cerr << e << "\n";
        return 1;
    }
    auto transports = make_transport_factory();
    std::string out = "{";
    bool first = true;
    for (const auto& [id, b] : cfg.bots) {
        if (cfg.producers_of(id).empty()) continue;  // collectors and unconnected bots have no input
        const QueueStats s = transports->stats(cfg, id, b.settings.transport);
        if (non_zero && s.records == 0) continue;
        const std::string queue = id + "-queue";
        if (json) {
            if (!first) out += ',';
            first = false;
            append_json_string(out, queue);
            out += ":{\"messages\":" + std::to_string(s.records) + ",\"bytes\":" + std::to_string(s.bytes) +
                   ",\"transport\":";
            append_json_string(out, b.settings.transport);
            out += "}";
        } else {
            std::cout << std::left << std::setw(32) << queue << std::right << std::setw(10) << s.records << "  "
                      << b.settings.transport << "\n";
        }
    }
    if (json) std::cout << out << "}\n";
    return 0;
}

}  // namespace sluice::ctl
