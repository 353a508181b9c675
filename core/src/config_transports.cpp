// SPDX-License-Identifier: AGPL-3.0-or-later
// The [transports] table: sizes of the file queue, ZeroMQ endpoints, the AMQP broker. Only what can
// be checked without a network is checked here; `sluicectl check` also connects to the broker.
#include <algorithm>
#include <string>

#include "config_checker.hpp"

namespace sluice::config_detail {
namespace {

void read_file_queue(Checker& c, const toml::table& f, Config& cfg) {
    c.unknown_keys(f, "[transports.file]", {"max_bytes", "segment_bytes", "reserve_bytes", "reserve_percent"});
    int64_t max = static_cast<int64_t>(cfg.file_queue_max_bytes),
            seg = static_cast<int64_t>(cfg.file_queue_segment_bytes);
    c.read(f, "max_bytes", max, "transports.file");
    c.read(f, "segment_bytes", seg, "transports.file");
    if (max < 1 || seg < 1) c.error(&f, "[transports.file] sizes must be positive");
    cfg.file_queue_max_bytes = static_cast<uint64_t>(max);
    cfg.file_queue_segment_bytes = static_cast<uint64_t>(seg);
    int64_t reserve = static_cast<int64_t>(cfg.file_queue_reserve_bytes);
    c.read(f, "reserve_bytes", reserve, "transports.file");
    c.read(f, "reserve_percent", cfg.file_queue_reserve_percent, "transports.file");
    if (reserve < 0) c.error(f.get("reserve_bytes"), "[transports.file] reserve_bytes must not be negative");
    if (cfg.file_queue_reserve_percent < 0 || cfg.file_queue_reserve_percent > 100)
        c.error(f.get("reserve_percent"), "[transports.file] reserve_percent must be from 0 to 100");
    cfg.file_queue_reserve_bytes = static_cast<uint64_t>(std::max<int64_t>(reserve, 0));
}

// A ZeroMQ address this build can use: tcp://host:port or ipc://path.
bool zmq_address(const std::string& a) {
    return (a.rfind("tcp://", 0) == 0 && a.find(':', 6) != std::string::npos) ||
           (a.rfind("ipc://", 0) == 0 && a.size() > 6);
}

void read_endpoint_table(Checker& c, const toml::table& z, std::string_view key,
                         std::map<std::string, std::string>& out) {
    const toml::node* n = z.get(key);
    if (!n) return;
    const std::string where = "transports.zmq." + std::string(key);
    auto* t = n->as_table();
    if (!t) {
        c.error(n, where + " must be a table of bot id = \"tcp://host:port\"");
        return;
    }
    for (auto&& [bot, v] : *t) {
        auto s = v.value<std::string>();
        if (!s || !zmq_address(*s)) {
            c.error(&v, where + "." + std::string(bot.str()) + " must be \"tcp://host:port\" or \"ipc://path\"");
            continue;
        }
        out[std::string(bot.str())] = *s;
    }
}

void read_zmq(Checker& c, const toml::table& z, Config& cfg) {
    c.unknown_keys(z, "[transports.zmq]", {"endpoints", "bind", "heartbeat"});
    read_endpoint_table(c, z, "endpoints", cfg.zmq.endpoints);
    read_endpoint_table(c, z, "bind", cfg.zmq.bind);
    c.read(z, "heartbeat", cfg.zmq.heartbeat, "transports.zmq");
    if (cfg.zmq.heartbeat <= 0) c.error(z.get("heartbeat"), "transports.zmq.heartbeat must be positive (seconds)");
}

void read_amqp(Checker& c, const toml::table& a, Config& cfg) {
    c.unknown_keys(
        a, "[transports.amqp]",
        {"url", "username", "password_env", "password_file", "queue_type", "ca_cert", "client_cert", "client_key",
         "verify_peer", "verify_hostname", "heartbeat", "connect_timeout", "records_per_message"});
    AmqpSettings& s = cfg.amqp;
    const std::string where = "transports.amqp";
    c.read(a, "url", s.url, where);
    c.read(a, "username", s.username, where);
    c.read(a, "password_env", s.password_env, where);
    c.read(a, "password_file", s.password_file, where);
    c.read(a, "queue_type", s.queue_type, where);
    c.read(a, "ca_cert", s.ca_cert, where);
    c.read(a, "client_cert", s.client_cert, where);
    c.read(a, "client_key", s.client_key, where);
    c.read(a, "verify_peer", s.verify_peer, where);
    c.read(a, "verify_hostname", s.verify_hostname, where);
    c.read(a, "heartbeat", s.heartbeat, where);
    c.read(a, "connect_timeout", s.connect_timeout, where);
    c.read(a, "records_per_message", s.records_per_message, where);
    if (s.url.rfind("amqp://", 0) != 0 && s.url.rfind("amqps://", 0) != 0)
        c.error(a.get("url"), where + ".url must start with amqp:// or amqps://");
    if (s.queue_type != "classic" && s.queue_type != "quorum")
        c.error(a.get("queue_type"), where + ".queue_type must be \"classic\" or \"quorum\"");
    if (!s.password_env.empty() && !s.password_file.empty())
        c.error(a.get("password_file"), where + ": give password_env or password_file, not both");
    // Relative certificate and password paths start at the configuration's folder, like every path.
    for (std::string* p : {&s.password_file, &s.ca_cert, &s.client_cert, &s.client_key})
        if (!p->empty()) *p = (cfg.base_dir / *p).lexically_normal().string();
    if (s.heartbeat < 0) c.error(a.get("heartbeat"), where + ".heartbeat must not be negative");
    if (s.connect_timeout <= 0) c.error(a.get("connect_timeout"), where + ".connect_timeout must be positive");
    if (s.records_per_message < 1 || s.records_per_message > 100000)
        c.error(a.get("records_per_message"),
                where + ".records_per_message must be 1 (one message per record, as IntelMQ) to 100000");
}

}  // namespace

void read_transports(Checker& c, const toml::table& t, Config& cfg) {
    if (auto* f = t["file"].as_table()) read_file_queue(c, *f, cfg);
    if (auto* z = t["zmq"].as_table()) read_zmq(c, *z, cfg);
    if (auto* a = t["amqp"].as_table()) read_amqp(c, *a, cfg);
}

}  // namespace sluice::config_detail
