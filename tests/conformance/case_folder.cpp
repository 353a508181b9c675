// SPDX-License-Identifier: AGPL-3.0-or-later
#include "case_folder.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string_view>

#include "message_compare.hpp"

namespace sluice::conformance {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw CaseError(p.string() + ": cannot read");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string trim(std::string_view s) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return std::string(s);
}

rapidjson::Document parse_json(const fs::path& p) {
    const std::string text = read_text(p);
    rapidjson::Document d;
    d.Parse(text.c_str(), text.size());
    if (d.HasParseError()) throw CaseError(p.string() + ": not valid JSON");
    return d;
}

// Parameters every IntelMQ bot has (intelmq/lib/bot.py, Bot's class attributes and the runtime
// configuration): they steer IntelMQ's runtime, not the bot, and Sluice sets them per host.
constexpr std::string_view kGenericParameters[] = {
    "accuracy",
    "destination_pipeline_broker",
    "destination_pipeline_db",
    "destination_pipeline_host",
    "destination_pipeline_password",
    "destination_pipeline_port",
    "destination_queues",
    "error_dump_message",
    "error_log_exception",
    "error_log_message",
    "error_max_retries",
    "error_procedure",
    "error_retry_delay",
    "http_proxy",
    "http_timeout_max_tries",
    "http_timeout_sec",
    "http_user_agent",
    "http_verify_cert",
    "https_proxy",
    "instances_threads",
    "load_balance",
    "log_processed_messages_count",
    "log_processed_messages_seconds",
    "logging_handler",
    "logging_level",
    "logging_path",
    "logging_syslog",
    "process_manager",
    "rate_limit",
    "source_pipeline_broker",
    "source_pipeline_db",
    "source_pipeline_host",
    "source_pipeline_password",
    "source_pipeline_port",
    "ssl_ca_certificate",
    "statistics_database",
    "statistics_host",
    "statistics_password",
    "statistics_port",
};

bool is_generic(std::string_view name) {
    return std::find(std::begin(kGenericParameters), std::end(kGenericParameters), name) !=
           std::end(kGenericParameters);
}

// A parameter naming a file: the case folder holds the copy the test used.
bool names_file(std::string_view name) {
    constexpr std::string_view kNames[] = {"file", "configuration_path", "path", "database", "schema"};
    const auto ends_with = [&](std::string_view suffix) {
        return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
    };
    return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames) || ends_with("_file") ||
           ends_with("_path") || ends_with("_filename");
}

std::string load_parameters(const fs::path& dir, std::vector<std::string>& dropped) {
    const fs::path file = dir / "parameters.json";
    if (!fs::exists(file)) return "{}";
    rapidjson::Document d = parse_json(file);
    if (!d.IsObject()) throw CaseError(file.string() + ": not a JSON object");
    rapidjson::Document out(rapidjson::kObjectType);
    auto& a = out.GetAllocator();
    for (auto& m : d.GetObject()) {
        const std::string_view name(m.name.GetString(), m.name.GetStringLength());
        if (is_generic(name)) {
            dropped.emplace_back(name);
            continue;
        }
        rapidjson::Value value(m.value, a);
        if (value.IsString() && names_file(name)) {
            const fs::path p(std::string(value.GetString(), value.GetStringLength()));
            if (p.is_relative()) value.SetString((dir / p).lexically_normal().string(), a);
        }
        out.AddMember(rapidjson::Value(m.name, a), value, a);
    }
    return compact(out);
}

std::vector<std::string> load_paths(const fs::path& dir) {
    const fs::path file = dir / "destination_queues.json";
    if (!fs::exists(file)) return {"_default"};
    const rapidjson::Document d = parse_json(file);
    std::vector<std::string> out;
    if (d.IsArray()) {
        for (const auto& v : d.GetArray()) {
            if (!v.IsString()) throw CaseError(file.string() + ": paths must be strings");
            out.emplace_back(v.GetString(), v.GetStringLength());
        }
    } else if (d.IsObject()) {  // IntelMQ's {"path": ["queue", ...]} form
        for (const auto& m : d.GetObject()) out.emplace_back(m.name.GetString(), m.name.GetStringLength());
    } else {
        throw CaseError(file.string() + ": expected a list of path names");
    }
    return out;
}

std::vector<std::string> load_inputs(const fs::path& dir) {
    const fs::path file = dir / "input.json";
    const rapidjson::Document d = parse_json(file);
    std::vector<std::string> out;
    if (d.IsObject()) {
        out.push_back(compact(d));
    } else if (d.IsArray()) {
        for (const auto& v : d.GetArray()) {
            if (!v.IsObject()) throw CaseError(file.string() + ": every input message must be an object");
            out.push_back(compact(v));
        }
    } else {
        throw CaseError(file.string() + ": expected a message or a list of messages");
    }
    return out;
}

std::vector<std::string> load_jsonl(const fs::path& file) {
    std::vector<std::string> out;
    std::istringstream in(read_text(file));
    for (std::string line; std::getline(in, line);) {
        if (!trim(line).empty()) out.push_back(line);
    }
    return out;
}

}  // namespace

Case load_case(const fs::path& dir) {
    if (!fs::is_directory(dir)) throw CaseError(dir.string() + ": not a folder");
    Case c;
    c.dir = dir;
    c.module = trim(read_text(dir / "module.txt"));
    c.parameters_json = load_parameters(dir, c.dropped_parameters);
    c.paths = load_paths(dir);
    c.inputs = load_inputs(dir);
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name == "expected.jsonl") {
            c.expected["_default"] = load_jsonl(entry.path());
        } else if (name.starts_with("expected.") && name.ends_with(".jsonl")) {
            const std::string path = name.substr(9, name.size() - 9 - 6);
            c.expected[path] = load_jsonl(entry.path());
        }
    }
    if (c.expected.empty()) throw CaseError(dir.string() + ": no expected.jsonl");
    return c;
}

}  // namespace sluice::conformance
