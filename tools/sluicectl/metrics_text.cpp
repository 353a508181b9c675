// SPDX-License-Identifier: AGPL-3.0-or-later
#include "metrics_text.hpp"

#include <algorithm>
#include <ctime>
#include <map>

#include "host_liveness.hpp"
#include "restart_counts.hpp"
#include "sluice/brokers/file_queue.hpp"
#include "sluice/core/message.hpp"
#include "sluice/core/stats.hpp"

namespace sluice::ctl {
namespace {

// A label value as the text format wants it: backslash, double quote and newline escaped.
std::string label(std::string_view v) {
    std::string s;
    for (char c : v) {
        if (c == '\\' || c == '"')
            s += '\\', s += c;
        else if (c == '\n')
            s += "\\n";
        else
            s += c;
    }
    return s;
}

// Seconds since the epoch of the hosts' "YYYY-MM-DDTHH:MM:SS+00:00"; -1 when unreadable.
long long epoch_seconds(const std::string& iso) {
    std::tm tm{};
    const char* end = strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end) return -1;
    return static_cast<long long>(timegm(&tm));
}

class Family {
 public:
    Family(std::string& out, const char* name, const char* type, const char* help) : out_(out), name_(name) {
        out_ += "# HELP ";
        out_ += name;
        out_ += ' ';
        out_ += help;
        out_ += "\n# TYPE ";
        out_ += name;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }
    void sample(const std::string& labels, long long value) {
        out_ += name_;
        out_ += '{' + labels + "} " + std::to_string(value) + '\n';
    }

 private:
    std::string& out_;
    const char* name_;
};

}  // namespace

std::string render_metrics(const Config& cfg, TransportFactory& transports) {
    std::map<std::string, BotStats> stats;
    for (const auto& [id, b] : cfg.bots) {
        if (b.remote) continue;
        BotStats s;
        if (BotStats::read(cfg.stats_file(id), s)) stats[id] = s;
    }
    auto bot_label = [](const std::string& id) { return "bot=\"" + label(id) + "\""; };
    std::string out;
    struct Counter {
        const char* name;
        const char* help;
        uint64_t BotStats::*field;
    };
    const Counter counters[] = {
        {"sluice_messages_received_total", "Input messages the bot's host took.", &BotStats::received},
        {"sluice_messages_failed_total", "Messages or records the bot gave up on.", &BotStats::failed},
        {"sluice_messages_dumped_total", "Entries written to the bot's dump.", &BotStats::dumped},
        {"sluice_messages_retried_total", "Processing attempts retried after an error.", &BotStats::retried},
        {"sluice_disk_full_waits_total", "Times the bot's host began waiting for disk space.",
         &BotStats::disk_full_waits},
        {"sluice_values_repaired_total", "Values the harmonization made valid UTF-8 (invalid bytes became U+FFFD).",
         &BotStats::values_repaired},
    };
    for (const auto& c : counters) {
        Family f(out, c.name, "counter", c.help);
        for (const auto& [id, s] : stats) f.sample(bot_label(id), static_cast<long long>(s.*c.field));
    }
    {
        Family f(out, "sluice_messages_sent_total", "counter", "Messages the bot sent, per path.");
        for (const auto& [id, s] : stats)
            for (const auto& [path, n] : s.sent)
                f.sample(bot_label(id) + ",path=\"" + label(path) + "\"", static_cast<long long>(n));
    }
    {
        Family f(out, "sluice_last_message_timestamp_seconds", "gauge",
                 "When the bot last processed or collected a message (Unix time).");
        for (const auto& [id, s] : stats)
            if (const long long t = epoch_seconds(s.last_message); t >= 0) f.sample(bot_label(id), t);
    }
    {
        // The hosts' counters above start again at zero in each new host: this says when they did.
        Family f(out, "sluice_bot_restarts_total", "counter",
                 "Times sluicectl up restarted the bot's host since it started (absent for hosts up does not run).");
        for (const auto& [id, n] : read_restart_counts(cfg))
            if (cfg.bots.count(id)) f.sample(bot_label(id), n);
    }
    {
        Family f(out, "sluice_bot_up", "gauge", "1 while the bot's host runs (holds its lock), else 0.");
        for (const auto& [id, b] : cfg.bots)
            if (!b.remote) f.sample(bot_label(id), host_running(cfg, id) ? 1 : 0);
    }
    {
        // A file queue's backlog by its sizes (segment lengths past the cursor, from stat): a
        // scrape, which anyone who reaches the port may send, never reads the records themselves.
        Family f(out, "sluice_queue_bytes", "gauge",
                 "Bytes waiting in the bot's file queue (not yet acknowledged by its consumer).");
        for (const auto& [id, b] : cfg.bots) {
            const auto inputs = cfg.input_transports(id);
            if (b.remote || cfg.producers_of(id).empty() ||
                std::find(inputs.begin(), inputs.end(), "file") == inputs.end())
                continue;
            try {
                f.sample(bot_label(id) + ",transport=\"file\"",
                         static_cast<long long>(file_queue_backlog_bytes(cfg.queue_dir(id))));
            } catch (const std::exception&) {
                // unreadable: absent, as below
            }
        }
    }
    {
        Family f(out, "sluice_queue_messages", "gauge",
                 "Messages waiting in the bot's input over amqp (the broker's count) and zmq (in flight); "
                 "file queues: sluice_queue_bytes, or sluicectl list queues for the exact count.");
        for (const auto& [id, b] : cfg.bots) {
            if (b.remote || cfg.producers_of(id).empty()) continue;
            for (const auto& transport : cfg.input_transports(id)) {
                if (transport == "file") continue;  // counting them means reading them
                try {
                    const QueueStats q = transports.stats(cfg, id, transport);
                    f.sample(bot_label(id) + ",transport=\"" + label(transport) + "\"",
                             static_cast<long long>(q.records));
                } catch (const std::exception&) {
                    // Absent, not zero: an alert on a missing series is the honest signal.
                }
            }
        }
    }
    {
        Family f(out, "sluice_queue_damaged_bytes_total", "counter",
                 "Bytes of the bot's file queue that failed their checks, kept in its quarantine/ folder.");
        for (const auto& [id, b] : cfg.bots) {
            const auto inputs = cfg.input_transports(id);
            if (b.remote || std::find(inputs.begin(), inputs.end(), "file") == inputs.end()) continue;
            f.sample(bot_label(id) + ",transport=\"file\"",
                     static_cast<long long>(file_queue_damaged_bytes(cfg.queue_dir(id))));
        }
    }
    return out;
}

std::string Health::json() const {
    return std::string("{\"ok\":") + (ok() ? "true" : "false") + ",\"up\":" + json_string_array(up) +
           ",\"down\":" + json_string_array(down) + ",\"disk_full\":" + json_string_array(disk_full) +
           ",\"stuck\":" + json_string_array(stuck) + ",\"broker_error\":" + json_string_array(broker_error) + "}";
}

Health check_health(const Config& cfg) {
    Health h;
    for (const auto& id : bots_expected_up(cfg)) {
        if (!host_running(cfg, id)) {
            h.down.push_back(id);
            continue;
        }
        h.up.push_back(id);
        BotStats s;
        if (BotStats::read(cfg.stats_file(id), s) && s.state == "disk full") h.disk_full.push_back(id);
        if (s.state == "broker error") h.broker_error.push_back(id);
        if (host_stuck(cfg, id)) h.stuck.push_back(id);
    }
    return h;
}

}  // namespace sluice::ctl
