// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The botnet configuration (conf/sluice.toml): which bots run, with what parameters, and which
// edges connect them over which transport. Loading checks everything that can be checked without
// touching plugins and collects one line per problem, so a bad configuration is refused before
// anything starts. Relative paths are relative to the folder of the configuration file; hosts run
// with that folder as their working directory, so bot parameters resolve the same way.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace sluice {

struct EdgeTarget {
    std::string bot;
    std::string transport;  // "file" (the embedded default), "zmq", "amqp"
};

// Settings every bot inherits from [defaults] and may override in its own table.
struct BotSettings {
    std::string transport = "file";
    int64_t error_max_retries = 3;
    double error_retry_delay = 1.0;       // seconds between retries of one message
    int64_t batch_size = 500;             // messages taken from the input per batch (one group commit)
    double rate_limit = 0.0;              // collectors: seconds between two collect runs
    std::string run_mode = "continuous";  // or "scheduled": collect once, then exit
    std::string log_level = "info";
};

struct BotConfig {
    std::string id;
    std::string plugin;
    std::string description;
    bool enabled = true;
    std::string parameters_json = "{}";                    // the [bots.X.parameters] table as JSON
    std::map<std::string, std::vector<EdgeTarget>> paths;  // "_default", "_on_error", named paths
    BotSettings settings;
};

struct Config {
    std::filesystem::path file;      // the configuration file, absolute
    std::filesystem::path base_dir;  // its folder: relative paths start here
    std::filesystem::path var_dir;   // queues, dumps, run state
    std::filesystem::path harmonization;
    std::vector<std::filesystem::path> plugin_path;
    uint64_t file_queue_max_bytes = 1ull << 30;
    uint64_t file_queue_segment_bytes = 16ull << 20;
    std::map<std::string, BotConfig> bots;

    std::filesystem::path queue_dir(const std::string& bot) const { return var_dir / "queues" / bot; }
    std::filesystem::path dump_file(const std::string& bot) const { return var_dir / "dump" / (bot + ".jsonl"); }
    std::filesystem::path stats_file(const std::string& bot) const { return var_dir / "run" / (bot + ".stats.json"); }
    // The bots whose edges lead to `bot`.
    std::vector<std::string> producers_of(const std::string& bot) const;
};

// Reads and checks the file. Problems are appended to `errors`, each naming the file and the key;
// the returned Config is usable only when `errors` stayed empty.
Config load_config(const std::filesystem::path& file, std::vector<std::string>& errors);

// The transports this build carries.
bool transport_available(const std::string& name);

}  // namespace sluice
