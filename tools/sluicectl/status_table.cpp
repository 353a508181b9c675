// SPDX-License-Identifier: AGPL-3.0-or-later
#include "status_table.hpp"

#include <rapidjson/document.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <vector>

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
    carried_[bot].add(s);
    // The file is gone once absorbed, so its numbers are never counted twice.
    std::error_code ec;
    std::filesystem::remove(cfg_.stats_file(bot), ec);
}

bool StatusTable::totals(const std::string& bot, BotStats& out) const {
    const bool running = BotStats::read(cfg_.stats_file(bot), out);
    auto it = carried_.find(bot);
    if (it == carried_.end()) return running;
    if (!running) out = BotStats{};
    out.add(it->second);
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
    // Columns as wide as their widest cell: bot ids and plugin names have no length limit.
    std::vector<std::array<std::string, 6>> rows{{"bot", "plugin", "in", "out", "failed", "restarts"}};
    uint64_t total_in = 0;
    bool restarted = false;
    for (const auto& [id, b] : cfg_.bots) {
        BotStats s;
        if (!totals(id, s)) continue;
        total_in += s.received;
        const auto r = restarts.find(id);
        const int n = r == restarts.end() ? 0 : r->second;
        restarted = restarted || n > 0;
        // A collector receives nothing: it has no "in", only what it sent.
        const bool collector = s.received == 0 && s.collected > 0;
        rows.push_back({id, b.plugin, collector ? "-" : std::to_string(s.received), std::to_string(s.sent_total()),
                        std::to_string(s.failed), std::to_string(n)});
    }
    std::array<size_t, 6> width{};
    for (const auto& row : rows)
        for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    os << "\n";
    for (const auto& row : rows) {
        os << std::left << std::setw(static_cast<int>(width[0])) << row[0] << "  "
           << std::setw(static_cast<int>(width[1])) << row[1] << std::right;
        for (size_t i = 2; i < row.size(); ++i) os << "  " << std::setw(static_cast<int>(width[i])) << row[i];
        os << "\n";
    }
    // Hosts write their counters at most every 0.25 s and at every orderly exit; a host that was
    // killed or crashed loses what it counted since its last write.
    if (restarted)
        os << "(approximate for restarted bots: a host that was killed loses up to its last 0.25 s of "
              "counts)\n";
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
