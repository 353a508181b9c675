// SPDX-License-Identifier: AGPL-3.0-or-later
#include "restart_counts.hpp"

#include <rapidjson/document.h>

#include <fstream>
#include <sstream>

#include "sluice/core/message.hpp"
#include "sluice/core/stats.hpp"

namespace sluice::ctl {
namespace {

std::filesystem::path restarts_file(const Config& cfg) { return cfg.var_dir / "run" / "up.restarts.json"; }

}  // namespace

void write_restart_counts(const Config& cfg, const std::map<std::string, int>& restarts) {
    std::string json = "{";
    for (const auto& [bot, n] : restarts) {
        if (json.size() > 1) json += ',';
        append_json_string(json, bot);
        json += ':' + std::to_string(n);
    }
    json += "}\n";
    publish_file(restarts_file(cfg), json);
}

std::map<std::string, int> read_restart_counts(const Config& cfg) {
    std::map<std::string, int> out;
    std::ifstream in(restarts_file(cfg));
    if (!in) return out;
    std::stringstream text;
    text << in.rdbuf();
    rapidjson::Document d;
    d.Parse(text.str().c_str());
    if (d.HasParseError() || !d.IsObject()) return out;
    for (const auto& m : d.GetObject())
        if (m.value.IsInt()) out[m.name.GetString()] = m.value.GetInt();
    return out;
}

}  // namespace sluice::ctl
