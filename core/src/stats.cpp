// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/stats.hpp"

#include <rapidjson/document.h>

#include <fstream>
#include <sstream>
#include <system_error>

#include "sluice/core/message.hpp"

namespace sluice {

uint64_t BotStats::sent_total() const {
    uint64_t n = 0;
    for (const auto& [path, count] : sent) n += count;
    return n;
}

void BotStats::add(const BotStats& o) {
    received += o.received;
    processed += o.processed;
    failed += o.failed;
    dumped += o.dumped;
    retried += o.retried;
    disk_full_waits += o.disk_full_waits;
    collected += o.collected;
    values_repaired += o.values_repaired;
    for (const auto& [path, n] : o.sent) sent[path] += n;
}

std::string BotStats::to_json(const std::string& bot, long pid) const {
    std::string s = "{\"bot\":";
    append_json_string(s, bot);
    s += ",\"pid\":" + std::to_string(pid) + ",\"state\":";
    append_json_string(s, state);
    s += ",\"received\":" + std::to_string(received) + ",\"processed\":" + std::to_string(processed) +
         ",\"in_flight\":" + std::to_string(in_flight) + ",\"failed\":" + std::to_string(failed) +
         ",\"dumped\":" + std::to_string(dumped) + ",\"retried\":" + std::to_string(retried) +
         ",\"disk_full_waits\":" + std::to_string(disk_full_waits) + ",\"collected\":" + std::to_string(collected) +
         ",\"values_repaired\":" + std::to_string(values_repaired) + ",\"sent\":{";
    bool first = true;
    for (const auto& [path, n] : sent) {
        if (!first) s += ',';
        first = false;
        append_json_string(s, path);
        s += ':' + std::to_string(n);
    }
    s += "},\"counters\":{";
    first = true;
    for (const auto& [name, n] : custom) {
        if (!first) s += ',';
        first = false;
        append_json_string(s, name);
        s += ':' + std::to_string(n);
    }
    s += "},\"last_message\":";
    append_json_string(s, last_message);
    if (!problem.empty()) {
        s += ",\"problem\":";
        append_json_string(s, problem);
    }
    s += "}";
    return s;
}

void publish_file(const std::filesystem::path& file, const std::string& content) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    const auto tmp = file.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << content;
        if (!out) return;  // statistics are best effort; never stop a bot over them
    }
    std::filesystem::rename(tmp, file, ec);
}

void BotStats::publish(const std::filesystem::path& file, const std::string& bot, long pid) const {
    publish_file(file, to_json(bot, pid) + '\n');
}

bool BotStats::read(const std::filesystem::path& file, BotStats& out) {
    std::ifstream in(file);
    if (!in) return false;
    std::stringstream ss;
    ss << in.rdbuf();
    rapidjson::Document d;
    d.Parse(ss.str().c_str());
    if (d.HasParseError() || !d.IsObject()) return false;
    auto u = [&](const char* k) -> uint64_t { return d.HasMember(k) && d[k].IsUint64() ? d[k].GetUint64() : 0; };
    out.received = u("received");
    out.processed = u("processed");
    out.in_flight = u("in_flight");
    out.failed = u("failed");
    out.dumped = u("dumped");
    out.retried = u("retried");
    out.disk_full_waits = u("disk_full_waits");
    out.collected = u("collected");
    out.values_repaired = u("values_repaired");
    out.sent.clear();
    if (d.HasMember("sent") && d["sent"].IsObject())
        for (auto& m : d["sent"].GetObject())
            if (m.value.IsUint64()) out.sent[m.name.GetString()] = m.value.GetUint64();
    out.custom.clear();
    if (d.HasMember("counters") && d["counters"].IsObject())
        for (auto& m : d["counters"].GetObject())
            if (m.value.IsInt64()) out.custom[m.name.GetString()] = m.value.GetInt64();
    if (d.HasMember("state") && d["state"].IsString()) out.state = d["state"].GetString();
    if (d.HasMember("last_message") && d["last_message"].IsString()) out.last_message = d["last_message"].GetString();
    out.problem = d.HasMember("problem") && d["problem"].IsString() ? d["problem"].GetString() : "";
    return true;
}

}  // namespace sluice
