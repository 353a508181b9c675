// SPDX-License-Identifier: AGPL-3.0-or-later
#include "run_bot.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "check.hpp"
#include "cli_error.hpp"
#include "sluice/core/bot_instance.hpp"
#include "sluice/core/config.hpp"
#include "sluice/core/input_set.hpp"
#include "sluice/core/message.hpp"
#include "supervisor.hpp"
#include "transport_factory.hpp"

namespace sluice::ctl {
namespace {

int exec_host(const RunOptions& o) {
    const std::string host = host_binary();
    std::cout.flush();
    ::execl(host.c_str(), host.c_str(), "--config", o.config.c_str(), "--log-level", "debug", o.bot.c_str(),
            static_cast<char*>(nullptr));
    throw CliError("cannot run " + host + ": " + std::strerror(errno), 2);
}

const char* status_name(uint32_t status) {
    switch (status) {
        case SLUICE_OK:
            return "OK";
        case SLUICE_RETRY:
            return "RETRY";
        case SLUICE_REJECT:
            return "REJECT";
        default:
            return "FATAL";
    }
}

// --msg: the JSON itself, or @FILE (also a plain FILE name that exists and is not JSON).
bool read_message(const std::string& arg, std::string& out, std::string& why) {
    std::string file;
    if (!arg.empty() && arg[0] == '@')
        file = arg.substr(1);
    else if (arg.find('{') == std::string::npos && std::filesystem::is_regular_file(arg))
        file = arg;
    if (file.empty()) {
        out = arg;
        return true;
    }
    std::ifstream in(file);
    if (!in) {
        why = file + ": " + std::strerror(errno);
        return false;
    }
    std::ostringstream s;
    s << in.rdbuf();
    out = s.str();
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' ')) out.pop_back();
    return true;
}

// Holds the bot's lock while its input is read, so its host cannot start meanwhile (and a running
// host makes this refuse): the same kernel lock sluice-host takes.
class BotLock {
 public:
    BotLock(const Config& cfg, const std::string& bot) {
        std::filesystem::create_directories(cfg.lock_file(bot).parent_path());
        fd_ = ::open(cfg.lock_file(bot).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) throw std::runtime_error(cfg.lock_file(bot).string() + ": " + std::strerror(errno));
        held_ = ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
    }
    ~BotLock() {
        if (fd_ >= 0) ::close(fd_);
    }
    BotLock(const BotLock&) = delete;
    BotLock& operator=(const BotLock&) = delete;
    bool held() const { return held_; }

 private:
    int fd_ = -1;
    bool held_ = false;
};

struct Outcome {
    std::map<std::string, std::vector<std::string>> sent;             // path → messages, in order
    std::vector<std::pair<std::string, std::string>> failed_records;  // record, reason
    std::string error;  // why the bot failed the message (empty: it did not)
};

void print_outcome(const RunOptions& o, const BotConfig& b, const std::string& input, const Outcome& r) {
    if (o.json) {
        std::string out = "{\"bot\":";
        append_json_string(out, o.bot);
        out += std::string(",\"ok\":") + (r.error.empty() ? "true" : "false") +
               ",\"dry_run\":" + (o.dry_run ? "true" : "false") + ",\"input\":";
        if (input.empty())
            out += "null";
        else
            append_json_string(out, input);
        if (!r.error.empty()) {
            out += ",\"error\":";
            append_json_string(out, r.error);
        }
        out += ",\"sent\":{";
        bool first_path = true;
        for (const auto& [path, messages] : r.sent) {
            if (!first_path) out += ',';
            first_path = false;
            append_json_string(out, path);
            out += ":[";
            for (size_t i = 0; i < messages.size(); ++i) out += (i ? "," : "") + messages[i];
            out += "]";
        }
        out += "},\"failed_records\":[";
        for (size_t i = 0; i < r.failed_records.size(); ++i) {
            out += i ? ",{\"record\":" : "{\"record\":";
            append_json_string(out, r.failed_records[i].first);
            out += ",\"reason\":";
            append_json_string(out, r.failed_records[i].second);
            out += "}";
        }
        std::cout << out << "]}\n";
        return;
    }
    if (!r.error.empty()) {
        std::cout << o.bot << ": the bot failed the message: " << r.error << "\n";
        return;
    }
    size_t total = 0;
    for (const auto& [path, messages] : r.sent) total += messages.size();
    std::cout << o.bot << ": " << total << " message(s) emitted"
              << (o.dry_run ? " (dry run: nothing sent, nothing acknowledged)" : "") << "\n";
    for (const auto& [path, messages] : r.sent) {
        std::string to;
        if (auto it = b.paths.find(path); it != b.paths.end())
            for (const auto& t : it->second) to += (to.empty() ? "" : ", ") + t.bot + " (" + t.transport + ")";
        std::cout << "  " << path << " → " << to << ": " << messages.size() << "\n";
        if (o.show_sent)
            for (const auto& m : messages) std::cout << "    " << m << "\n";
    }
    for (const auto& [record, reason] : r.failed_records)
        std::cout << "  record failed: " << reason << ": " << record << "\n";
}

// Appends each path's messages to every queue the path leads to; returns false (with why) when a
// transport fails, in which case the input must not be acknowledged.
bool deliver(const Config& cfg, const BotConfig& b, const Outcome& r, TransportFactory& transports, std::string& why) {
    try {
        for (const auto& [path, messages] : r.sent) {
            auto it = b.paths.find(path);
            if (it == b.paths.end()) continue;
            std::vector<std::string_view> views(messages.begin(), messages.end());
            for (const auto& target : it->second)
                if (!transports.producer(cfg, target)->append(views, [] { return false; })) {
                    why = "sending to " + target.bot + " was interrupted";
                    return false;
                }
        }
    } catch (const std::exception& e) {
        why = e.what();
        return false;
    }
    return true;
}

}  // namespace

int run_bot(const RunOptions& o) {
    if (!o.has_msg && !o.dry_run && !o.show_sent && !o.json) return exec_host(o);

    std::string message, why;
    if (o.has_msg && !read_message(o.msg, message, why)) {
        throw usage_error("--msg " + why);
    }
    const Config cfg = load_or_throw(o.config);
    auto found = cfg.bots.find(o.bot);
    if (found == cfg.bots.end()) {
        throw unknown_bot(o.bot, cfg.file);
    }
    const BotConfig& b = found->second;
    if (b.remote) {
        throw usage_error("bot '" + o.bot + "' is remote = true: run it on its own machine");
    }
    // Bot parameters resolve relative paths against the configuration's folder, as in sluice-host.
    if (::chdir(cfg.base_dir.c_str()) != 0) {
        throw CliError(cfg.base_dir.string() + ": " + std::strerror(errno), 2);
    }

    Logger log(o.bot, LogLevel::debug);  // to the terminal, as intelmqctl run does
    Outcome outcome;
    BotHooks hooks;
    hooks.emit = [&](std::string_view path, const Message& m) {
        if (!b.paths.count(std::string(path))) return false;  // as in the host: an unconfigured path
        outcome.sent[std::string(path)].push_back(m.json());
        return true;
    };
    hooks.fail_record = [&](std::string_view record, std::string_view reason) {
        outcome.failed_records.emplace_back(record, reason);
    };
    hooks.counter = [](std::string_view, int64_t) {};
    hooks.should_stop = [] { return false; };

    std::shared_ptr<const Harmonization> harmonization;
    std::unique_ptr<BotInstance> bot;
    try {
        harmonization = std::make_shared<const Harmonization>(load_harmonization(cfg));
        auto plugin = std::make_shared<Plugin>(find_plugin(b.plugin, plugin_search_path(cfg.plugin_path)));
        bot = std::make_unique<BotInstance>(plugin, b.parameters_json, harmonization, log, hooks);
    } catch (const std::exception& e) {
        throw CliError(o.bot + ": " + e.what(), 2);
    }
    if (bot->kind() == SLUICE_KIND_OUTPUT && o.dry_run)
        log.warning("an output's process() writes to its destination even in a dry run; only queues are spared");

    auto transports = make_transport_factory([&](LogLevel level, const std::string& m) { log.log(level, m); });
    std::unique_ptr<BotLock> lock;
    std::unique_ptr<QueueConsumer> input;
    CallResult r;
    if (bot->kind() == SLUICE_KIND_COLLECTOR) {
        if (o.has_msg) {
            throw usage_error(o.bot + " is a collector: it takes no --msg (--dry-run runs one collect)");
        }
        r = bot->collect();
    } else {
        if (!o.has_msg) {
            // One message from the bot's own input, taken under its lock and acknowledged only
            // after what the bot emitted is durable downstream (never in a dry run).
            lock = std::make_unique<BotLock>(cfg, o.bot);
            if (!lock->held()) {
                throw CliError("bot '" + o.bot + "' is running (" + cfg.lock_file(o.bot).string() +
                                   " is locked): stop it to take a message from its input, or give one with --msg",
                               2);
            }
            try {
                std::vector<std::unique_ptr<QueueConsumer>> inputs;
                for (const auto& transport : cfg.input_transports(o.bot))
                    inputs.push_back(transports->consumer(cfg, o.bot, transport));
                input = std::make_unique<InputSet>(std::move(inputs));
                const auto& batch = input->take(1, std::chrono::milliseconds(1000));
                if (batch.empty()) throw CliError("nothing waits in the input of '" + o.bot + "'", 1);
                // A transport that acknowledges several records together (AMQP with
                // records_per_message > 1) hands them out together: acknowledging one would
                // acknowledge the others unprocessed, so only a dry run may look at the first.
                if (batch.size() > 1 && !o.dry_run) {
                    throw CliError("the next message in the input of '" + o.bot + "' holds " +
                                       std::to_string(batch.size()) +
                                       " records that can only be acknowledged together; look at the first with "
                                       "--dry-run, or let the bot process them (sluicectl start)",
                                   2);
                }
                message.assign(batch.front());
            } catch (const CliError&) {
                throw;
            } catch (const std::exception& e) {
                throw CliError(o.bot + ": " + e.what(), 2);
            }
        }
        sluice_msg in{Message(MessageType::event, *harmonization)};
        if (!Message::decode(message, in.message, why))
            throw CliError("cannot decode the message: " + why, o.has_msg ? 2 : 1);
        r = bot->process(in);
    }
    if (r.ok()) {
        if (CallResult f = bot->flush(); !f.ok()) r = f;
    }
    if (!r.ok()) {
        outcome.sent.clear();  // as in the host: a failed attempt sends nothing
        outcome.error = std::string(status_name(r.status)) + ": " + r.error;
        if (input) outcome.error += " (the message stays in the input)";
    }
    print_outcome(o, b, message, outcome);
    if (!r.ok()) return 1;
    if (o.dry_run) return 0;  // nothing sent, nothing acknowledged, no on_durable
    if (!deliver(cfg, b, outcome, *transports, why)) {
        std::cerr << "sluicectl run: " << why << (input ? " (the message stays in the input)" : "") << "\n";
        return 1;
    }
    if (input) input->ack();
    bot->on_durable();
    return 0;
}

int run_bot_cli(const std::string& config, const std::vector<std::string>& args) {
    RunOptions o;
    o.config = config;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--msg" && i + 1 < args.size()) {
            o.msg = args[++i];
            o.has_msg = true;
        } else if (args[i] == "--dry-run" || args[i] == "--dryrun") {
            o.dry_run = true;
        } else if (args[i] == "--show-sent") {
            o.show_sent = true;
        } else if (args[i] == "--json") {
            o.json = true;
        } else if (o.bot.empty() && !args[i].empty() && args[i][0] != '-') {
            o.bot = args[i];
        } else {
            o.bot.clear();
            break;
        }
    }
    if (o.bot.empty()) {
        throw usage_error(
            "which bot? (usage: sluicectl run <bot> [--msg JSON|@FILE] [--dry-run] [--show-sent] [--json])");
    }
    return run_bot(o);
}

}  // namespace sluice::ctl
