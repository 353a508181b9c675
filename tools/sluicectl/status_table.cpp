// SPDX-License-Identifier: AGPL-3.0-or-later
#include "status_table.hpp"

#include <rapidjson/document.h>
#include <unistd.h>

#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "sluice/core/stats.hpp"

namespace sluice::ctl {
namespace {

// Lines in a JSON-lines file, for the summary's "where the output is".
size_t count_lines(const std::filesystem::path& p) {
    std::FILE* f = std::fopen(p.c_str(), "r");
    if (!f) return 0;
    size_t n = 0;
    char buf[65536];
    size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < got; ++i) n += buf[i] == '\n';
    std::fclose(f);
    return n;
}

std::string output_file_of(const BotConfig& b) {
    rapidjson::Document d;
    d.Parse(b.parameters_json.c_str());
    if (d.IsObject() && d.HasMember("file") && d["file"].IsString()) return d["file"].GetString();
    return {};
}

}  // namespace

void StatusTable::absorb(const std::string& bot) {
    BotStats s;
    if (!BotStats::read(cfg_.stats_file(bot), s)) return;
    BotStats& c = carried_[bot];
    c.received += s.received;
    c.processed += s.processed;
    c.failed += s.failed;
    c.dumped += s.dumped;
    c.retried += s.retried;
    c.collected += s.collected;
    for (const auto& [path, n] : s.sent) c.sent[path] += n;
    // The file is gone once absorbed, so its numbers are never counted twice.
    std::error_code ec;
    std::filesystem::remove(cfg_.stats_file(bot), ec);
}

bool StatusTable::totals(const std::string& bot, BotStats& out) const {
    const bool running = BotStats::read(cfg_.stats_file(bot), out);
    auto it = carried_.find(bot);
    if (it == carried_.end()) return running;
    if (!running) out = BotStats{};
    const BotStats& c = it->second;
    out.received += c.received;
    out.processed += c.processed;
    out.failed += c.failed;
    out.dumped += c.dumped;
    out.retried += c.retried;
    out.collected += c.collected;
    for (const auto& [path, n] : c.sent) out.sent[path] += n;
    return true;
}

StatusTable::StatusTable(const Config& cfg, bool quiet) : cfg_(cfg), tty_(::isatty(STDOUT_FILENO)), quiet_(quiet) {}

void StatusTable::refresh(bool force) {
    const auto now = std::chrono::steady_clock::now();
    const auto every = tty_ ? std::chrono::seconds(1) : std::chrono::seconds(5);
    if (!force && now - last_ < every) return;
    last_ = now;
    if (!tty_ && (quiet_ || force)) return;
    std::ostringstream os;
    if (tty_ && drawn_lines_) os << "\x1b[" << drawn_lines_ << "F\x1b[J";  // redraw in place
    int lines = 0;
    if (tty_) {
        os << std::left << std::setw(24) << "bot" << std::right << std::setw(10) << "in" << std::setw(10) << "out"
           << std::setw(8) << "failed"
           << "\n";
        ++lines;
    }
    for (const auto& [id, b] : cfg_.bots) {
        BotStats s;
        if (!totals(id, s)) continue;
        if (tty_) {
            os << std::left << std::setw(24) << id << std::right << std::setw(10) << s.received << std::setw(10)
               << s.sent_total() << std::setw(8) << s.failed << "\n";
            ++lines;
        } else {
            os << id << " in=" << s.received << " out=" << s.sent_total() << " failed=" << s.failed << "  ";
        }
    }
    if (!tty_) os << "\n";
    drawn_lines_ = tty_ ? lines : 0;
    std::cout << os.str() << std::flush;
}

void StatusTable::print_summary(std::ostream& os, double seconds, const std::map<std::string, int>& restarts) const {
    os << "\n"
       << std::left << std::setw(22) << "bot" << std::setw(22) << "plugin" << std::right << std::setw(9) << "in"
       << std::setw(9) << "out" << std::setw(8) << "failed" << std::setw(10) << "restarts"
       << "\n";
    uint64_t total_in = 0;
    for (const auto& [id, b] : cfg_.bots) {
        BotStats s;
        if (!totals(id, s)) continue;
        const uint64_t in = s.received ? s.received : s.collected;
        total_in += s.received;
        auto r = restarts.find(id);
        os << std::left << std::setw(22) << id << std::setw(22) << b.plugin << std::right << std::setw(9) << in
           << std::setw(9) << s.sent_total() << std::setw(8) << s.failed << std::setw(10)
           << (r == restarts.end() ? 0 : r->second) << "\n";
    }
    os << std::fixed << std::setprecision(2) << "\nran " << seconds << " s";
    if (seconds > 0) os << ", " << static_cast<uint64_t>(total_in / seconds) << " messages/s through all bots";
    os << "\n";
    for (const auto& [id, b] : cfg_.bots) {
        const std::string file = output_file_of(b);
        if (file.empty() || !b.enabled) continue;
        const auto path = (cfg_.base_dir / file).lexically_normal();
        os << "events (" << id << "): " << path.string() << " (" << count_lines(path) << " lines)\n";
    }
    for (const auto& [id, b] : cfg_.bots) {
        const auto dump = cfg_.dump_file(id);
        if (const size_t n = count_lines(dump))
            os << "dumped (" << id << "): " << dump.string() << " (" << n << " entr" << (n == 1 ? "y" : "ies") << ")\n";
    }
}

}  // namespace sluice::ctl
