// SPDX-License-Identifier: AGPL-3.0-or-later
#include "dump_verbs.hpp"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <set>
#include <stdexcept>

#include "check.hpp"
#include "dump_store.hpp"
#include "sluice/core/config.hpp"
#include "sluice/core/message.hpp"
#include "sluice/core/plugin.hpp"
#include "transport_factory.hpp"

namespace sluice::ctl {
namespace {

constexpr double kReplayTimeout = 30;  // seconds a re-injection may wait (back-pressure, a zmq peer)

struct Usage : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

struct DumpArgs {
    std::string action;
    std::string bot;
    std::vector<std::string> ids;
    std::string to;
    bool json = false;
};

DumpArgs parse(const std::vector<std::string>& args) {
    DumpArgs a;
    for (size_t i = 0; i < args.size(); ++i) {
        const auto& w = args[i];
        if (w == "--json")
            a.json = true;
        else if (w == "--to" && i + 1 < args.size())
            a.to = args[++i];
        else if (w.rfind("--", 0) == 0)
            throw Usage("unknown option " + w);
        else if (a.action.empty())
            a.action = w;
        else if (a.bot.empty())
            a.bot = w;
        else
            a.ids.push_back(w);
    }
    if (a.action.empty()) throw Usage("name an action: list, show, replay or delete");
    return a;
}

// The bots that have a dump: every configured bot, and any dump file left by a bot since removed.
std::set<std::string> dump_owners(const Config& cfg) {
    std::set<std::string> bots;
    for (const auto& [id, b] : cfg.bots) bots.insert(id);
    std::error_code ec;
    for (const auto& f : std::filesystem::directory_iterator(cfg.var_dir / "dump", ec))
        if (f.path().extension() == ".jsonl" && valid_bot_id(f.path().stem().string()))
            bots.insert(f.path().stem().string());
    return bots;
}

void require_bot(const Config& cfg, const std::string& bot) {
    if (bot.empty()) throw Usage("name the bot whose dump to use");
    // A name that would lead out of var/dump (../../elsewhere) is refused before any path is made.
    if (!valid_bot_id(bot)) throw Usage("'" + bot + "' is not a bot id: it may not start with '.' or hold '/'");
    if (!cfg.bots.count(bot) && !std::filesystem::exists(cfg.dump_file(bot)))
        throw Usage("no bot '" + bot + "' in " + cfg.file.string() + " and no dump " + cfg.dump_file(bot).string());
}

std::string entry_json(const DumpEntry& e) {
    std::string s = "{\"id\":" + std::to_string(e.id);
    if (e.damaged) {
        s += ",\"damaged\":true,\"line\":";
        append_json_string(s, e.line);
        return s + "}";
    }
    auto field = [&](const char* k, const std::string& v) {
        s += ",\"";
        s += k;
        s += "\":";
        append_json_string(s, v);
    };
    field("time", e.time);
    field("bot_id", e.bot_id);
    field("source_queue", e.source_queue);
    field("reason", e.reason);
    s += ",\"message\":";
    if (e.message_is_json)
        s += e.message;
    else
        append_json_string(s, e.message);
    return s + "}";
}

std::string ids_json(const std::vector<size_t>& ids) {
    std::string s = "[";
    for (size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(ids[i]);
    return s + "]";
}

std::string plural(size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

int list(const Config& cfg, bool json) {
    std::string out = "[";
    size_t total = 0;
    for (const auto& bot : dump_owners(cfg)) {
        const auto file = cfg.dump_file(bot);
        const auto entries = read_dump(file);
        const size_t damaged =
            static_cast<size_t>(std::count_if(entries.begin(), entries.end(), [](const auto& e) { return e.damaged; }));
        std::string last;
        for (auto it = entries.rbegin(); it != entries.rend() && last.empty(); ++it) last = it->time;
        total += entries.size();
        if (json) {
            if (out.size() > 1) out += ',';
            out += "{\"bot\":";
            append_json_string(out, bot);
            out += ",\"entries\":" + std::to_string(entries.size()) + ",\"damaged\":" + std::to_string(damaged) +
                   ",\"file\":";
            append_json_string(out, file.string());
            out += ",\"last\":";
            append_json_string(out, last);
            out += "}";
        } else {
            std::cout << bot << ": " << plural(entries.size(), "entry", "entries");
            if (damaged) std::cout << " (" << damaged << " damaged)";
            if (!last.empty()) std::cout << ", last " << last;
            std::cout << "\n";
        }
    }
    if (json) std::cout << "{\"dumps\":" << out << "],\"total\":" << total << "}\n";
    return 0;
}

int show(const Config& cfg, const DumpArgs& a) {
    require_bot(cfg, a.bot);
    const auto entries = read_dump(cfg.dump_file(a.bot));
    const auto ids = a.ids.empty() ? parse_entry_ids({"all"}, entries.size()) : parse_entry_ids(a.ids, entries.size());
    std::string out = "[";
    for (size_t id : ids) {
        const auto& e = entries[id - 1];
        if (a.json) {
            if (out.size() > 1) out += ',';
            out += entry_json(e);
        } else if (e.damaged) {
            std::cout << "[" << id << "] damaged line: " << e.line << "\n";
        } else {
            std::cout << "[" << id << "] " << e.time << " " << e.bot_id
                      << (e.source_queue.empty() ? "" : " (" + e.source_queue + ")") << "\n    reason: " << e.reason
                      << "\n    message: " << e.message << "\n";
        }
    }
    if (a.json) std::cout << out << "]\n";
    if (!a.json && entries.empty()) std::cout << a.bot << ": the dump is empty\n";
    return 0;
}

// The selected entries, parsed; ids beyond the file or damaged entries refused by the caller.
std::vector<size_t> select(const std::vector<DumpEntry>& entries, const DumpArgs& a) {
    if (a.ids.empty()) throw Usage("name the entries to " + a.action + " (3, 1,4, 2-5) or all");
    const auto ids = parse_entry_ids(a.ids, entries.size());
    return {ids.begin(), ids.end()};
}

// Removes the entries that were acted on from the dump. It re-reads the file under the lock: the
// host may have appended meanwhile, and another sluicectl may have edited it, so entries are
// matched by their text, never by a line number read earlier.
size_t remove_entries(const std::filesystem::path& file, const std::vector<DumpEntry>& done) {
    DumpLock lock(file);
    auto now = read_dump(file);
    std::vector<bool> drop(now.size(), false);
    size_t removed = 0;
    for (const auto& d : done) {
        // The same line number first (the usual case), else the first identical line.
        size_t at = d.id - 1 < now.size() && !drop[d.id - 1] && now[d.id - 1].line == d.line ? d.id - 1 : now.size();
        for (size_t i = 0; at == now.size() && i < now.size(); ++i)
            if (!drop[i] && now[i].line == d.line) at = i;
        if (at < now.size()) {
            drop[at] = true;
            ++removed;
        }
    }
    std::vector<DumpEntry> keep;
    for (size_t i = 0; i < now.size(); ++i)
        if (!drop[i]) keep.push_back(std::move(now[i]));
    rewrite_dump(file, keep);
    return removed;
}

// Blocks Ctrl-C and SIGTERM for a scope: a replay between re-injection and removal is finished
// rather than interrupted into duplicates.
class SignalsDeferred {
 public:
    SignalsDeferred() {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGHUP);
        sigprocmask(SIG_BLOCK, &set, &old_);
    }
    ~SignalsDeferred() { sigprocmask(SIG_SETMASK, &old_, nullptr); }

 private:
    sigset_t old_;
};

// The transport an operator's message into `bot` takes: the file queue when one of its edges
// uses it (durable without a running host), else the first transport its edges use.
std::string input_transport(const Config& cfg, const std::string& bot) {
    const auto all = cfg.input_transports(bot);
    if (std::find(all.begin(), all.end(), "file") != all.end()) return "file";
    return all.empty() ? "file" : all.front();
}

// A collector reads no queue: entries sent there would wait forever. Its plugin says what it is.
bool is_collector(const Config& cfg, const std::string& bot) {
    const auto& b = cfg.bots.at(bot);
    if (b.remote) return false;
    try {
        return Plugin(find_plugin(b.plugin, plugin_search_path(cfg.plugin_path))).desc().kind == SLUICE_KIND_COLLECTOR;
    } catch (const std::exception&) {
        return false;  // `sluicectl check` reports a plugin that does not load
    }
}

int replay(const Config& cfg, const DumpArgs& a) {
    require_bot(cfg, a.bot);
    const std::string target = a.to.empty() ? a.bot : a.to;
    if (!cfg.bots.count(target)) throw Usage("--to: no bot '" + target + "' in " + cfg.file.string());
    if (is_collector(cfg, target))
        throw Usage(target + " is a collector: it has no input to replay into (use --to <bot>)");
    const auto file = cfg.dump_file(a.bot);
    std::vector<DumpEntry> chosen;
    std::vector<size_t> damaged;
    {
        DumpLock lock(file);
        const auto entries = read_dump(file);
        for (size_t id : select(entries, a)) {
            if (entries[id - 1].damaged)
                damaged.push_back(id);
            else
                chosen.push_back(entries[id - 1]);
        }
    }
    // Not under the dump lock: re-injecting into the bot's own input over zmq waits for its host,
    // which may itself be waiting for the lock to dump something.
    SignalsDeferred deferred;
    const std::string transport = input_transport(cfg, target);
    std::vector<size_t> replayed;
    if (!chosen.empty()) {
        std::vector<std::string_view> records;
        for (const auto& e : chosen) records.emplace_back(e.message);
        auto transports = make_transport_factory();
        auto producer = transports->producer(cfg, EdgeTarget{target, transport});
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(kReplayTimeout);
        // append() returns only when the records are durable in the target's queue.
        if (!producer->append(records, [&] { return std::chrono::steady_clock::now() > deadline; }))
            throw std::runtime_error("could not re-inject into " + target + "'s input over " + transport + " within " +
                                     std::to_string(static_cast<int>(kReplayTimeout)) +
                                     " s (queue full, or its host not running?); the dump is unchanged");
        remove_entries(file, chosen);
        for (const auto& e : chosen) replayed.push_back(e.id);
    }
    const size_t remaining = read_dump(file).size();
    if (a.json) {
        std::cout << "{\"bot\":";
        std::string s;
        append_json_string(s, a.bot);
        s += ",\"to\":";
        append_json_string(s, target);
        s += ",\"transport\":";
        append_json_string(s, transport);
        std::cout << s << ",\"replayed\":" << ids_json(replayed) << ",\"damaged\":" << ids_json(damaged)
                  << ",\"remaining\":" << remaining << "}\n";
    } else {
        std::cout << "replayed " << plural(replayed.size(), "entry", "entries") << " of " << a.bot << "'s dump into "
                  << target << "'s input (" << transport << "); " << remaining << " left in the dump\n";
        for (size_t id : damaged) std::cerr << "entry " << id << " is damaged and was not replayed\n";
    }
    return damaged.empty() ? 0 : 1;
}

int erase(const Config& cfg, const DumpArgs& a) {
    require_bot(cfg, a.bot);
    const auto file = cfg.dump_file(a.bot);
    std::vector<size_t> ids;
    size_t remaining = 0;
    {
        DumpLock lock(file);
        auto entries = read_dump(file);
        ids = select(entries, a);
        std::vector<bool> drop(entries.size(), false);
        for (size_t id : ids) drop[id - 1] = true;
        std::vector<DumpEntry> keep;
        for (size_t i = 0; i < entries.size(); ++i)
            if (!drop[i]) keep.push_back(std::move(entries[i]));
        if (!ids.empty()) rewrite_dump(file, keep);
        remaining = keep.size();
    }
    if (a.json) {
        std::string s = "{\"bot\":";
        append_json_string(s, a.bot);
        std::cout << s << ",\"deleted\":" << ids_json(ids) << ",\"remaining\":" << remaining << "}\n";
    } else {
        std::cout << "deleted " << plural(ids.size(), "entry", "entries") << " of " << a.bot << "'s dump; " << remaining
                  << " left\n";
    }
    return 0;
}

}  // namespace

// Usage errors and bad entry numbers are std::invalid_argument: main reports them with exit 2.
int run_dump(const std::string& config, const std::vector<std::string>& args) {
    const DumpArgs a = parse(args);
    const Config cfg = load_or_throw(config);
    if (a.action == "list") return list(cfg, a.json);
    if (a.action == "show") return show(cfg, a);
    if (a.action == "replay") return replay(cfg, a);
    if (a.action == "delete") return erase(cfg, a);
    throw Usage("unknown action '" + a.action + "': list, show, replay or delete");
}

}  // namespace sluice::ctl
