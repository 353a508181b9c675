// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/config.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <toml++/toml.h>
#include <algorithm>
#include <set>
#include <sstream>

namespace sluice {
namespace {

class Checker {
 public:
    Checker(const std::filesystem::path& file, std::vector<std::string>& errors)
        : file_(file.string()), errors_(errors) {}

    void error(const toml::node* where, const std::string& what) {
        std::ostringstream os;
        os << file_;
        if (where && where->source().begin.line) os << ":" << where->source().begin.line;
        os << ": " << what;
        errors_.push_back(os.str());
    }
    void unknown_keys(const toml::table& t, const std::string& table_name,
                      std::initializer_list<std::string_view> known) {
        for (auto&& [k, v] : t) {
            if (std::find(known.begin(), known.end(), k.str()) == known.end()) {
                std::string list;
                for (auto kk : known) list += (list.empty() ? "" : ", ") + std::string(kk);
                error(&v, "unknown key '" + std::string(k.str()) + "' in " + table_name + " (known: " + list + ")");
            }
        }
    }
    template <class T>
    void read(const toml::table& t, std::string_view key, T& out, const std::string& where) {
        const toml::node* n = t.get(key);
        if (!n) return;
        if constexpr (std::is_same_v<T, double>) {
            if (auto v = n->value<double>()) {
                out = *v;
                return;
            }
        } else if (auto v = n->value<T>()) {
            out = *v;
            return;
        }
        error(n, where + "." + std::string(key) + " has the wrong type");
    }

 private:
    std::string file_;
    std::vector<std::string>& errors_;
};

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
    if (s.batch_size < 1) c.error(t.get("batch_size"), where + ".batch_size must be at least 1");
    if (s.error_max_retries < 0) c.error(t.get("error_max_retries"), where + ".error_max_retries must not be negative");
    if (s.run_mode != "continuous" && s.run_mode != "scheduled")
        c.error(t.get("run_mode"),
                where + ".run_mode must be \"continuous\" or \"scheduled\", not \"" + s.run_mode + "\"");
    if (!transport_available(s.transport))
        c.error(t.get("transport"), where + ".transport: unknown transport '" + s.transport + "' (available: file)");
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
            c.error(&n, where + ": unknown transport '" + e.transport + "' (available: file)");
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

bool transport_available(const std::string& name) { return name == "file"; }

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
    c.unknown_keys(root, "the top level", {"paths", "defaults", "transports", "bots"});

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

    BotSettings defaults;
    if (auto* d = root["defaults"].as_table()) {
        c.unknown_keys(*d, "[defaults]",
                       {"transport", "error_max_retries", "error_retry_delay", "batch_size", "rate_limit", "run_mode",
                        "log_level"});
        read_settings(c, *d, defaults, "defaults");
    }
    if (auto* t = root["transports"].as_table()) {
        c.unknown_keys(*t, "[transports]", {"file", "zmq", "amqp"});
        if (auto* f = (*t)["file"].as_table()) {
            c.unknown_keys(*f, "[transports.file]", {"max_bytes", "segment_bytes"});
            int64_t max = static_cast<int64_t>(cfg.file_queue_max_bytes),
                    seg = static_cast<int64_t>(cfg.file_queue_segment_bytes);
            c.read(*f, "max_bytes", max, "transports.file");
            c.read(*f, "segment_bytes", seg, "transports.file");
            if (max < 1 || seg < 1) c.error(f, "[transports.file] sizes must be positive");
            cfg.file_queue_max_bytes = static_cast<uint64_t>(max);
            cfg.file_queue_segment_bytes = static_cast<uint64_t>(seg);
        }
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
                       {"plugin", "description", "enabled", "parameters", "to", "transport", "error_max_retries",
                        "error_retry_delay", "batch_size", "rate_limit", "run_mode", "log_level"});
        BotConfig b;
        b.id = id;
        b.settings = defaults;
        if (id.empty() || id.find_first_of("/\\ \t") != std::string::npos || id.front() == '.')
            c.error(&node, where + ": a bot id may not contain '/', spaces or start with '.'");
        if (auto p = (*t)["plugin"].value<std::string>())
            b.plugin = *p;
        else
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
            }
    return cfg;
}

}  // namespace sluice
