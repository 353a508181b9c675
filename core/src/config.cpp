// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/config.hpp"

#include "sluice/core/defaults.hpp"
#include "sluice/core/harmonization.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <toml++/toml.h>
#include <algorithm>
#include <set>
#include <sstream>

#include "config_checker.hpp"

namespace sluice {
namespace {

using config_detail::Checker;
using config_detail::read_transports;

void to_json(const toml::node& n, rapidjson::Value& out, rapidjson::Document::AllocatorType& a) {
    if (auto s = n.as_string())
        out.SetString(s->get().c_str(), static_cast<rapidjson::SizeType>(s->get().size()), a);
    else if (auto i = n.as_integer())
        out.SetInt64(i->get());
    else if (auto f = n.as_floating_point())
        out.SetDouble(f->get());
    else if (auto b = n.as_boolean())
        out.SetBool(b->get());
    else if (auto arr = n.as_array()) {
        out.SetArray();
        for (auto&& item : *arr) {
            rapidjson::Value v;
            to_json(item, v, a);
            out.PushBack(v, a);
        }
    } else if (auto tbl = n.as_table()) {
        out.SetObject();
        for (auto&& [k, item] : *tbl) {
            rapidjson::Value v;
            to_json(item, v, a);
            out.AddMember(rapidjson::Value(std::string(k.str()).c_str(), a), v, a);
        }
    } else {
        // Dates and times: their TOML text.
        std::ostringstream os;
        n.visit([&](auto&& v) {
            if constexpr (toml::is_date<decltype(v)> || toml::is_time<decltype(v)> || toml::is_date_time<decltype(v)>)
                os << v;
        });
        out.SetString(os.str().c_str(), a);
    }
}

std::string table_to_json(const toml::table& t) {
    rapidjson::Document d;
    to_json(t, d, d.GetAllocator());
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    d.Accept(w);
    return buf.GetString();
}

void read_settings(Checker& c, const toml::table& t, BotSettings& s, const std::string& where) {
    c.read(t, "transport", s.transport, where);
    c.read(t, "error_max_retries", s.error_max_retries, where);
    c.read(t, "error_retry_delay", s.error_retry_delay, where);
    c.read(t, "batch_size", s.batch_size, where);
    c.read(t, "rate_limit", s.rate_limit, where);
    c.read(t, "run_mode", s.run_mode, where);
    c.read(t, "log_level", s.log_level, where);
    c.read(t, "error_procedure", s.error_procedure, where);
    c.read(t, "error_dump_message", s.error_dump_message, where);
    c.read(t, "error_log_message", s.error_log_message, where);
    c.read(t, "error_log_exception", s.error_log_exception, where);
    c.read(t, "crash_max_deliveries", s.crash_max_deliveries, where);
    c.read(t, "process_timeout", s.process_timeout, where);
    c.read_size(t, "memory_max", s.memory_max, where);
    c.read(t, "log_format", s.log_format, where);
    c.read(t, "log_max_bytes", s.log_max_bytes, where);
    c.read(t, "log_backups", s.log_backups, where);
    c.read(t, "log_processed_messages_count", s.log_processed_messages_count, where);
    c.read(t, "log_processed_messages_seconds", s.log_processed_messages_seconds, where);
    if (s.error_procedure != "pass" && s.error_procedure != "stop")
        c.error(t.get("error_procedure"), where + ".error_procedure must be \"pass\" or \"stop\"");
    // 1 would dump every message of a crashed batch: which one crashed the host is only known from
    // its second crash on.
    if (s.crash_max_deliveries < 2)
        c.error(t.get("crash_max_deliveries"), where + ".crash_max_deliveries must be at least 2");
    if (s.process_timeout < 0)
        c.error(t.get("process_timeout"), where + ".process_timeout must not be negative (0: no time-out)");
    // Below this not even the host and its libraries fit: every start would fail.
    if (s.memory_max != 0 && s.memory_max < (32u << 20))
        c.error(t.get("memory_max"), where + ".memory_max must be at least 32M (0: no limit)");
    if (s.log_format != "text" && s.log_format != "json")
        c.error(t.get("log_format"), where + ".log_format must be \"text\" or \"json\"");
    if (s.log_max_bytes < 4096) c.error(t.get("log_max_bytes"), where + ".log_max_bytes must be at least 4096");
    if (s.log_backups < 0) c.error(t.get("log_backups"), where + ".log_backups must not be negative");
    if (s.batch_size < 1) c.error(t.get("batch_size"), where + ".batch_size must be at least 1");
    if (s.error_max_retries < 0) c.error(t.get("error_max_retries"), where + ".error_max_retries must not be negative");
    if (s.run_mode != "continuous" && s.run_mode != "scheduled")
        c.error(t.get("run_mode"),
                where + ".run_mode must be \"continuous\" or \"scheduled\", not \"" + s.run_mode + "\"");
    if (!transport_available(s.transport))
        c.error(t.get("transport"),
                where + ".transport: unknown transport '" + s.transport + "' (available: file, zmq, amqp)");
    static const std::set<std::string> levels = {"debug", "info", "warning", "error", "critical"};
    if (!levels.count(s.log_level))
        c.error(t.get("log_level"), where + ".log_level must be debug, info, warning, error or critical");
}

void read_target(Checker& c, const toml::node& n, const std::string& where, const std::string& default_transport,
                 std::vector<EdgeTarget>& out) {
    if (auto s = n.value<std::string>()) {
        out.push_back({*s, default_transport});
        return;
    }
    if (auto t = n.as_table()) {
        c.unknown_keys(*t, where, {"bot", "transport"});
        EdgeTarget e{"", default_transport};
        if (auto b = (*t)["bot"].value<std::string>())
            e.bot = *b;
        else
            c.error(&n, where + " needs bot = \"<bot id>\"");
        if (auto tr = (*t)["transport"].value<std::string>()) e.transport = *tr;
        if (!transport_available(e.transport))
            c.error(&n, where + ": unknown transport '" + e.transport + "' (available: file, zmq, amqp)");
        out.push_back(e);
        return;
    }
    c.error(&n, where + " must be a bot id or { bot = \"...\", transport = \"...\" }");
}

void read_targets(Checker& c, const toml::node& n, const std::string& where, const std::string& default_transport,
                  std::vector<EdgeTarget>& out) {
    if (auto arr = n.as_array()) {
        for (auto&& item : *arr) read_target(c, item, where, default_transport, out);
    } else {
        read_target(c, n, where, default_transport, out);
    }
}

}  // namespace

bool transport_available(const std::string& name) { return name == "file" || name == "zmq" || name == "amqp"; }

std::vector<std::string> Config::input_transports(const std::string& bot) const {
    std::vector<std::string> out;
    for (const auto& [id, b] : bots)
        for (const auto& [path, targets] : b.paths)
            for (const auto& t : targets)
                if (t.bot == bot && std::find(out.begin(), out.end(), t.transport) == out.end())
                    out.push_back(t.transport);
    if (out.empty()) out.push_back("file");
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> Config::transports_in_use() const {
    std::vector<std::string> out;
    for (const auto& [id, b] : bots)
        for (const auto& [path, targets] : b.paths)
            for (const auto& t : targets)
                if (std::find(out.begin(), out.end(), t.transport) == out.end()) out.push_back(t.transport);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> Config::producers_of(const std::string& bot) const {
    std::vector<std::string> out;
    for (const auto& [id, b] : bots)
        for (const auto& [path, targets] : b.paths)
            for (const auto& t : targets)
                if (t.bot == bot && std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
    return out;
}

Config load_config(const std::filesystem::path& file, std::vector<std::string>& errors) {
    Config cfg;
    Checker c(file, errors);
    std::error_code ec;
    cfg.file = std::filesystem::absolute(file, ec);
    cfg.base_dir = cfg.file.parent_path();
    toml::table root;
    try {
        root = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        std::ostringstream os;
        os << file.string() << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
           << e.description();
        errors.push_back(os.str());
        return cfg;
    }
    c.unknown_keys(root, "the top level", {"paths", "defaults", "transports", "metrics", "bots"});
    if (auto* m = root["metrics"].as_table()) {
        c.unknown_keys(*m, "[metrics]", {"listen"});
        c.read(*m, "listen", cfg.metrics_listen, "metrics");
        if (!cfg.metrics_listen.empty() && cfg.metrics_listen.rfind(':') == std::string::npos)
            c.error(m->get("listen"), "metrics.listen must be \"address:port\", e.g. \"127.0.0.1:9120\"");
    }

    std::string var = "var", harmonization = "harmonization.toml";
    if (auto* paths = root["paths"].as_table()) {
        c.unknown_keys(*paths, "[paths]", {"var", "harmonization", "plugins"});
        c.read(*paths, "var", var, "paths");
        c.read(*paths, "harmonization", harmonization, "paths");
        if (auto* arr = (*paths)["plugins"].as_array())
            for (auto&& p : *arr)
                if (auto s = p.value<std::string>()) cfg.plugin_path.push_back(cfg.base_dir / *s);
    }
    cfg.var_dir = (cfg.base_dir / var).lexically_normal();
    cfg.harmonization = (cfg.base_dir / harmonization).lexically_normal();
    cfg.harmonization_set = root["paths"]["harmonization"].is_value();

    BotSettings defaults;
    if (auto* d = root["defaults"].as_table()) {
        c.unknown_keys(
            *d, "[defaults]",
            {"transport", "error_max_retries", "error_retry_delay", "batch_size", "rate_limit", "run_mode", "log_level",
             "error_procedure", "error_dump_message", "error_log_message", "error_log_exception",
             "crash_max_deliveries", "process_timeout", "memory_max", "log_format", "log_max_bytes", "log_backups",
             "log_processed_messages_count", "log_processed_messages_seconds"});
        read_settings(c, *d, defaults, "defaults");
    }
    if (auto* t = root["transports"].as_table()) {
        c.unknown_keys(*t, "[transports]", {"file", "zmq", "amqp"});
        read_transports(c, *t, cfg);
    }

    auto* bots = root["bots"].as_table();
    if (!bots || bots->empty()) {
        errors.push_back(file.string() + ": no bots defined (add a [bots.<id>] table)");
        return cfg;
    }
    for (auto&& [key, node] : *bots) {
        const std::string id(key.str());
        const std::string where = "bots." + id;
        auto* t = node.as_table();
        if (!t) {
            c.error(&node, where + " must be a table");
            continue;
        }
        c.unknown_keys(*t, "[" + where + "]",
                       {"plugin",
                        "description",
                        "enabled",
                        "remote",
                        "parameters",
                        "to",
                        "transport",
                        "error_max_retries",
                        "error_retry_delay",
                        "batch_size",
                        "rate_limit",
                        "run_mode",
                        "log_level",
                        "error_procedure",
                        "error_dump_message",
                        "error_log_message",
                        "error_log_exception",
                        "crash_max_deliveries",
                        "process_timeout",
                        "memory_max",
                        "log_format",
                        "log_max_bytes",
                        "log_backups",
                        "log_processed_messages_count",
                        "log_processed_messages_seconds"});
        BotConfig b;
        b.id = id;
        b.settings = defaults;
        if (!valid_bot_id(id))
            c.error(&node, where +
                               ": a bot id may not be empty, start with '.', or contain '/', '\\', spaces or "
                               "control characters");
        c.read(*t, "remote", b.remote, where);
        if (auto p = (*t)["plugin"].value<std::string>())
            b.plugin = *p;
        else if (!b.remote)
            c.error(&node, where + ".plugin is missing (the plugin name, e.g. \"parser_csv\")");
        c.read(*t, "description", b.description, where);
        c.read(*t, "enabled", b.enabled, where);
        read_settings(c, *t, b.settings, where);
        if (auto* params = (*t)["parameters"].as_table())
            b.parameters_json = table_to_json(*params);
        else if (t->contains("parameters"))
            c.error(t->get("parameters"), where + ".parameters must be a table");
        if (const toml::node* to = t->get("to")) {
            if (auto* paths = to->as_table()) {
                for (auto&& [path, targets] : *paths)
                    read_targets(c, targets, where + ".to." + std::string(path.str()), b.settings.transport,
                                 b.paths[std::string(path.str())]);
            } else {
                read_targets(c, *to, where + ".to", b.settings.transport, b.paths["_default"]);
            }
        }
        cfg.bots.emplace(id, std::move(b));
    }
    for (const auto& [id, b] : cfg.bots)
        for (const auto& [path, targets] : b.paths)
            for (const auto& target : targets) {
                auto it = cfg.bots.find(target.bot);
                if (it == cfg.bots.end())
                    errors.push_back(file.string() + ": bots." + id + ".to." + path + ": no bot '" + target.bot + "'");
                else if (target.bot == id)
                    errors.push_back(file.string() + ": bots." + id + ".to." + path + ": a bot cannot send to itself");
                else if ((it->second.remote || b.remote) && target.transport == "file")
                    errors.push_back(file.string() + ": bots." + id + ".to." + path + ": '" +
                                     (b.remote ? id : target.bot) +
                                     "' runs on another machine; a file queue cannot cross machines (use zmq or amqp)");
            }
    return cfg;
}

bool valid_bot_id(std::string_view id) {
    if (id.empty() || id.front() == '.') return false;
    for (const unsigned char ch : id)
        if (ch < 0x20 || ch == 0x7f || ch == '/' || ch == '\\' || ch == ' ') return false;
    return true;
}

}  // namespace sluice

namespace sluice {

Harmonization load_harmonization(const Config& cfg) {
    try {
        if (!std::filesystem::exists(cfg.harmonization)) throw std::runtime_error("no such file");
        return Harmonization::load(cfg.harmonization);
    } catch (const std::exception& e) {
        // Named by the setting an operator would change, not only by the file it led to.
        throw std::runtime_error(
            (cfg.harmonization_set ? "[paths] harmonization = " + cfg.harmonization.string()
                                   : "[paths] harmonization is not set and its default " + cfg.harmonization.string()) +
            ": " + e.what() + " (set [paths] harmonization in " + cfg.file.string() + " to the one Sluice ships, " +
            default_harmonization_file().string() + ", or to an IntelMQ harmonization.conf)");
    }
}

}  // namespace sluice
