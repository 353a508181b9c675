// SPDX-License-Identifier: AGPL-3.0-or-later
#include "dump_verbs.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sluice/codec.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <set>
#include <stdexcept>

#include "check.hpp"
#include "cli_error.hpp"
#include "dump_store.hpp"
#include "sluice/core/config.hpp"
#include "sluice/core/harmonization.hpp"
#include "sluice/core/message.hpp"
#include "sluice/core/plugin.hpp"
#include "sluice/core/utf8.hpp"
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
    bool raw = false;                       // show: raw as stored (Base64), not decoded
    std::vector<std::string> sets, unsets;  // edit: --set key=value, --unset key
};

DumpArgs parse(const std::vector<std::string>& args) {
    DumpArgs a;
    for (size_t i = 0; i < args.size(); ++i) {
        const auto& w = args[i];
        if (w == "--json")
            a.json = true;
        else if (w == "--raw")
            a.raw = true;
        else if (w == "--set" && i + 1 < args.size())
            a.sets.push_back(args[++i]);
        else if (w == "--unset" && i + 1 < args.size())
            a.unsets.push_back(args[++i]);
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
    if (a.action.empty()) throw Usage("name an action: list, show, edit, replay or delete");
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

// The message with its raw decoded into text, as intelmqdump shows it: the failing line as it
// came, not Base64. Bytes that are not UTF-8 show as U+FFFD; a raw that is not Base64 stays.
std::string with_raw_decoded(const std::string& message) {
    rapidjson::Document d;
    d.Parse(message.data(), message.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("raw") || !d["raw"].IsString()) return message;
    std::string text;
    try {
        append_repaired_utf8(text, base64::decode(std::string_view(d["raw"].GetString(), d["raw"].GetStringLength())));
    } catch (const base64::DecodeError&) {
        return message;
    }
    d["raw"].SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), d.GetAllocator());
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    d.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
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
                      << "\n    message: " << (a.raw || !e.message_is_json ? e.message : with_raw_decoded(e.message))
                      << "\n";
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

// The bot whose input entries go back into: --to, else the dump's own bot; never a collector.
std::string replay_target(const Config& cfg, const DumpArgs& a) {
    const std::string target = a.to.empty() ? a.bot : a.to;
    if (!cfg.bots.count(target)) throw Usage("--to: no bot '" + target + "' in " + cfg.file.string());
    if (is_collector(cfg, target))
        throw Usage(target + " is a collector: it has no input to replay into (use --to <bot>)");
    return target;
}

// Appends `records` to `target`'s input and returns the transport; throws, leaving the dump as it
// is, when they are not durable there within kReplayTimeout.
std::string inject(const Config& cfg, const std::string& target, const std::vector<std::string_view>& records) {
    const std::string transport = input_transport(cfg, target);
    auto transports = make_transport_factory();
    auto producer = transports->producer(cfg, EdgeTarget{target, transport});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(kReplayTimeout);
    // append() returns only when the records are durable in the target's queue.
    if (!producer->append(records, [&] { return std::chrono::steady_clock::now() > deadline; }))
        throw std::runtime_error("could not re-inject into " + target + "'s input over " + transport + " within " +
                                 std::to_string(static_cast<int>(kReplayTimeout)) +
                                 " s (queue full, or its host not running?); the dump is unchanged");
    return transport;
}

int replay(const Config& cfg, const DumpArgs& a) {
    require_bot(cfg, a.bot);
    const std::string target = replay_target(cfg, a);
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
    std::string transport = input_transport(cfg, target);
    std::vector<size_t> replayed;
    size_t gone_meanwhile = 0;  // replayed, but already removed from the dump by someone else
    if (!chosen.empty()) {
        std::vector<std::string_view> records;
        for (const auto& e : chosen) records.emplace_back(e.message);
        transport = inject(cfg, target, records);
        gone_meanwhile = chosen.size() - remove_entries(file, chosen);
        for (const auto& e : chosen) replayed.push_back(e.id);
    }
    // What is left, read after the removal: entries the host dumped meanwhile count, and so do
    // damaged ones, which are never replayed.
    const auto left = read_dump(file);
    const size_t remaining = left.size();
    const size_t remaining_damaged =
        static_cast<size_t>(std::count_if(left.begin(), left.end(), [](const DumpEntry& e) { return e.damaged; }));
    if (a.json) {
        std::cout << "{\"bot\":";
        std::string s;
        append_json_string(s, a.bot);
        s += ",\"to\":";
        append_json_string(s, target);
        s += ",\"transport\":";
        append_json_string(s, transport);
        std::cout << s << ",\"replayed\":" << ids_json(replayed) << ",\"damaged\":" << ids_json(damaged)
                  << ",\"remaining\":" << remaining << ",\"remaining_damaged\":" << remaining_damaged
                  << ",\"removed_meanwhile\":" << gone_meanwhile << "}\n";
    } else {
        std::cout << "replayed " << plural(replayed.size(), "entry", "entries");
        if (!replayed.empty()) {
            std::cout << " (";
            for (size_t i = 0; i < replayed.size(); ++i) std::cout << (i ? "," : "") << replayed[i];
            std::cout << ")";
        }
        std::cout << " of " << a.bot << "'s dump into " << target << "'s input (" << transport << "); "
                  << plural(remaining, "entry", "entries") << " left in the dump";
        if (remaining_damaged) std::cout << " (" << remaining_damaged << " damaged)";
        std::cout << "\n";
        if (gone_meanwhile)
            std::cerr << plural(gone_meanwhile, "entry", "entries")
                      << " had already been removed from the dump meanwhile (by another sluicectl) and may now be "
                         "in the input twice\n";
        for (size_t id : damaged) std::cerr << "entry " << id << " is damaged and was not replayed\n";
    }
    return damaged.empty() ? 0 : 1;
}

// The text after $VISUAL or $EDITOR (else vi) edited it in a temporary file.
std::string edit_in_editor(const std::string& text) {
    std::string path = (std::filesystem::temp_directory_path() / "sluice-dump-edit-XXXXXX.json").string();
    const int fd = ::mkstemps(path.data(), 5);
    if (fd < 0)
        throw std::runtime_error("cannot make a temporary file for the editor: " + std::string(strerror(errno)));
    ::close(fd);
    struct Remove {
        std::string p;
        ~Remove() { std::filesystem::remove(p); }
    } remove{path};
    {
        std::ofstream out(path);
        out << text << "\n";
    }
    const char* visual = std::getenv("VISUAL");
    const char* editor = visual && *visual ? visual : std::getenv("EDITOR");
    const std::string command = std::string(editor && *editor ? editor : "vi") + " '" + path + "'";
    if (const int rc = std::system(command.c_str()); rc != 0)
        throw std::runtime_error("the editor (" + command + ") exited with " + std::to_string(rc) +
                                 "; the dump is unchanged");
    std::ifstream in(path);
    std::string edited((std::istreambuf_iterator<char>(in)), {});
    while (!edited.empty() && (edited.back() == '\n' || edited.back() == '\r')) edited.pop_back();
    return edited;
}

// intelmqdump's edit-before-replay: one entry's message, changed in $EDITOR or by --set/--unset,
// checked against the harmonization, put into the bot's (or --to's) input, and removed from the dump.
int edit(const Config& cfg, const DumpArgs& a) {
    require_bot(cfg, a.bot);
    const std::string target = replay_target(cfg, a);
    const auto file = cfg.dump_file(a.bot);
    const auto entries = read_dump(file);
    if (a.ids.size() != 1) throw Usage("name the one entry to edit");
    const auto ids = parse_entry_ids(a.ids, entries.size());
    if (ids.size() != 1) throw Usage("name the one entry to edit");
    const DumpEntry entry = entries[*ids.begin() - 1];
    if (entry.damaged) throw Usage("entry " + std::to_string(entry.id) + " is damaged: delete it");
    if (!entry.message_is_json)
        throw Usage("entry " + std::to_string(entry.id) + " holds a record, not a message: nothing to edit");

    const std::string text = a.sets.empty() && a.unsets.empty() ? edit_in_editor(entry.message) : entry.message;
    const Harmonization harmonization = load_harmonization(cfg);
    Message message(MessageType::event, harmonization);
    std::string why;
    if (!Message::decode(text, message, why))
        throw CliError("the edited message is refused: " + why + "; the dump is unchanged", 1);
    for (const std::string& set : a.sets) {
        const size_t eq = set.find('=');
        if (eq == std::string::npos || eq == 0) throw Usage("--set takes key=value, not '" + set + "'");
        const SetResult r = message.set(set.substr(0, eq), set.substr(eq + 1), true, false, &why);
        if (r != SetResult::ok) throw CliError("--set " + set + ": " + why + "; the dump is unchanged", 1);
    }
    for (const std::string& key : a.unsets)
        if (!message.remove(key)) throw CliError("--unset " + key + ": the message has no such field", 1);
    std::string json;
    message.to_json(json);

    SignalsDeferred deferred;
    const std::string transport = inject(cfg, target, {json});
    const bool removed = remove_entries(file, {entry}) == 1;
    if (a.json) {
        std::string s = "{\"bot\":";
        append_json_string(s, a.bot);
        s += ",\"to\":";
        append_json_string(s, target);
        s += ",\"transport\":";
        append_json_string(s, transport);
        s += ",\"replayed\":[" + std::to_string(entry.id) + "],\"message\":" + json;
        std::cout << s << "}\n";
    } else {
        std::cout << "edited entry " << entry.id << " of " << a.bot << "'s dump and replayed it into " << target
                  << "'s input (" << transport << ")\n";
    }
    if (!removed) std::cerr << "the entry had already left the dump meanwhile (by another sluicectl)\n";
    return 0;
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
    if (a.action == "edit") return edit(cfg, a);
    throw Usage("unknown action '" + a.action + "': list, show, edit, replay or delete");
}

}  // namespace sluice::ctl
