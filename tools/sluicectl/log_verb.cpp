// SPDX-License-Identifier: AGPL-3.0-or-later
#include "log_verb.hpp"

#include <deque>
#include <fstream>
#include <iostream>
#include <sstream>

#include "check.hpp"
#include "cli_error.hpp"
#include "sluice/core/config.hpp"
#include "sluice/core/log.hpp"

namespace sluice::ctl {
namespace {

// The entries of one file, oldest first; a line that is not an entry continues the one before.
std::vector<LogEntry> read_entries(const std::filesystem::path& file) {
    std::vector<LogEntry> entries;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        if (auto e = parse_log_line(line))
            entries.push_back(std::move(*e));
        else if (!entries.empty())
            entries.back().message += "\n" + line;
        // A continuation at the very top belongs to an entry rotated into the next backup: dropped.
    }
    return entries;
}

std::filesystem::path backup_of(const std::filesystem::path& file, int64_t n) {
    return file.string() + "." + std::to_string(n);
}

[[noreturn]] void refuse(const std::string& why) {
    throw usage_error(why + " (usage: sluicectl log <bot> [n] [debug|info|warning|error|critical] [--json])");
}

}  // namespace

int run_log(const std::string& config, const std::vector<std::string>& args) {
    size_t wanted = 10;
    LogLevel min = LogLevel::debug;
    bool have_count = false, have_level = false, json = false;
    std::string bot;
    for (const auto& a : args) {
        if (a == "--json") {
            json = true;
        } else if (bot.empty() && !a.empty() && a[0] != '-') {
            bot = a;
        } else if (!have_count && !a.empty() && a.find_first_not_of("0123456789") == std::string::npos) {
            try {
                wanted = std::stoul(a);
            } catch (const std::exception&) {
                refuse("'" + a + "' is not a number of lines");
            }
            have_count = true;
        } else if (auto level = parse_log_level(a); level && !have_level) {
            min = *level;
            have_level = true;
        } else {
            refuse("unexpected '" + a + "'");
        }
    }
    if (bot.empty()) refuse("which bot?");
    if (wanted == 0) refuse("the number of lines must be at least 1");

    const Config cfg = load_or_throw(config);
    auto it = cfg.bots.find(bot);
    if (it == cfg.bots.end()) throw unknown_bot(bot, cfg.file);
    const auto file = cfg.log_file(bot);

    // Newest file first; an older one is read only while too few entries were found.
    std::deque<LogEntry> picked;
    bool found_any = false;
    for (int64_t n = 0; n <= it->second.settings.log_backups && picked.size() < wanted; ++n) {
        const auto path = n == 0 ? file : backup_of(file, n);
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) continue;  // a gap left by an interrupted rotation
        found_any = true;
        auto entries = read_entries(path);
        for (auto e = entries.rbegin(); e != entries.rend() && picked.size() < wanted; ++e)
            if (e->level >= min) picked.push_front(std::move(*e));
    }
    if (!found_any) {
        std::cerr << "sluicectl log: " << file.string() << " does not exist: '" << bot << "' has not logged yet\n";
        return 1;
    }
    std::ostringstream out;
    if (json) out << "[";
    bool first = true;
    for (const auto& e : picked) {
        if (json) out << (first ? "\n" : ",\n");
        out << Logger::format_line(json ? LogFormat::json : LogFormat::text, e.time, e.bot, e.level, e.message,
                                   e.fields);
        if (!json) out << "\n";
        first = false;
    }
    if (json) out << (picked.empty() ? "]\n" : "\n]\n");
    std::cout << out.str();
    return 0;
}

}  // namespace sluice::ctl
