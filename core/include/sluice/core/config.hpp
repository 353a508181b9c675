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
#include <string_view>
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
    // IntelMQ's error policy. "pass": a message that keeps failing is dumped (and sent to
    // _on_error) and the bot goes on; "stop": the host stops with the batch unacknowledged.
    std::string error_procedure = "pass";
    bool error_dump_message = true;   // write failed messages to the dump
    bool error_log_message = false;   // log the failed message itself (may hold personal data)
    bool error_log_exception = true;  // log the bot's error text
    // A message that has crashed the host process itself (segfault, abort) this many times is dumped
    // instead of crash-looping the bot. At least 2: which message of a batch crashed the host is only
    // known from its second crash on.
    int64_t crash_max_deliveries = 3;
    // A message still in process() after this many seconds makes the host exit; it counts as a crash
    // delivery (watchdog.hpp). 0: no time-out.
    double process_timeout = 60;
    // Bytes of memory (data segment) the host may use; past it the message being processed counts
    // as a crash delivery and the host restarts (memory_limit.hpp). 0: no limit.
    uint64_t memory_max = 0;
    // Logs: var/log/<bot>.log (and stderr), rotated by size, text or JSON lines; a summary of the
    // processed messages every N messages or S seconds, as IntelMQ logs it.
    std::string log_format = "text";  // or "json"
    int64_t log_max_bytes = 10 << 20;
    int64_t log_backups = 3;
    int64_t log_processed_messages_count = 500;
    double log_processed_messages_seconds = 900;
};

struct BotConfig {
    std::string id;
    std::string plugin;
    std::string description;
    bool enabled = true;
    // Runs on another machine with its own configuration: declared here only so edges can name it
    // (it is never started from this file, and edges to it must cross machines: zmq or amqp).
    bool remote = false;
    std::string parameters_json = "{}";                    // the [bots.X.parameters] table as JSON
    std::map<std::string, std::vector<EdgeTarget>> paths;  // "_default", "_on_error", named paths
    BotSettings settings;
};

// [transports.zmq]: where each bot's ZeroMQ input listens. A bot's host binds its endpoint; the
// hosts sending to it connect there. Default: ipc://<var>/run/<bot>.zmq (one machine).
struct ZmqSettings {
    std::map<std::string, std::string> endpoints;  // bot → the address senders connect to
    std::map<std::string, std::string> bind;       // bot → what its host binds, when not the same
    double heartbeat = 2.0;                        // seconds; a silent peer is dropped after 5×
};

// [transports.amqp]: one broker (or cluster node) for every amqp edge. Credentials are never part
// of this struct's printable settings: the URL's password, password_env or password_file are
// read by the broker code when it connects, and every printed URL has its password masked.
struct AmqpSettings {
    std::string url = "amqp://127.0.0.1:5672/";
    std::string username;       // overrides the URL's user
    std::string password_env;   // name of an environment variable holding the password
    std::string password_file;  // a file whose first line is the password
    // "quorum": replicated across a cluster, and on one node several times faster with confirms
    // than "classic" (whose confirms wait for a periodic fsync of the queue index).
    std::string queue_type = "quorum";
    std::string ca_cert, client_cert, client_key;  // amqps:// only
    bool verify_peer = true, verify_hostname = true;
    int64_t heartbeat = 30;  // seconds
    double connect_timeout = 5.0;
    // Records packed into one message (application/x-ndjson); 1 = one application/json message per
    // record, as IntelMQ writes and reads them. The broker's work is per message, not per record.
    int64_t records_per_message = 500;
};

struct Config {
    std::filesystem::path file;      // the configuration file, absolute
    std::filesystem::path base_dir;  // its folder: relative paths start here
    std::filesystem::path var_dir;   // queues, dumps, run state
    std::filesystem::path harmonization;
    bool harmonization_set = false;  // [paths] harmonization given (else the default next to the file)
    std::vector<std::filesystem::path> plugin_path;
    uint64_t file_queue_max_bytes = 1ull << 30;
    uint64_t file_queue_segment_bytes = 16ull << 20;
    uint64_t file_queue_reserve_bytes = 256ull << 20;  // appends wait below the smaller of the two
    int64_t file_queue_reserve_percent = 5;
    ZmqSettings zmq;
    AmqpSettings amqp;
    std::string metrics_listen;  // [metrics] listen = "127.0.0.1:9120": sluicectl up serves /metrics there
    std::map<std::string, BotConfig> bots;

    std::filesystem::path queue_dir(const std::string& bot) const { return var_dir / "queues" / bot; }
    std::filesystem::path dump_file(const std::string& bot) const { return var_dir / "dump" / (bot + ".jsonl"); }
    std::filesystem::path stats_file(const std::string& bot) const { return var_dir / "run" / (bot + ".stats.json"); }
    std::filesystem::path log_file(const std::string& bot) const { return var_dir / "log" / (bot + ".log"); }
    std::filesystem::path lock_file(const std::string& bot) const { return var_dir / "run" / (bot + ".lock"); }
    // The bots whose edges lead to `bot`.
    std::vector<std::string> producers_of(const std::string& bot) const;
    // The transports `bot`'s input arrives on: those of the edges leading to it ("file" when none,
    // so a bot without producers can still be fed by hand).
    std::vector<std::string> input_transports(const std::string& bot) const;
    // Every transport some edge uses.
    std::vector<std::string> transports_in_use() const;
};

// Reads and checks the file. Problems are appended to `errors`, each naming the file and the key;
// the returned Config is usable only when `errors` stayed empty.
Config load_config(const std::filesystem::path& file, std::vector<std::string>& errors);

// The transports this build carries.
bool transport_available(const std::string& name);

// A bot id names files (var/dump/<id>.jsonl, var/run/<id>.lock, …) and queues: it may not be
// empty, start with '.', or hold '/', '\\', white space or a control character (NUL included).
// Checked by the configuration and by every command that builds a path from an id it was given.
bool valid_bot_id(std::string_view id);

class Harmonization;
// The harmonization the configuration names; throws naming the setting ([paths] harmonization)
// and the file it led to when that file is missing or refused.
Harmonization load_harmonization(const Config& cfg);

}  // namespace sluice
