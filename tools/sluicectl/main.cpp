// SPDX-License-Identifier: AGPL-3.0-or-later
// sluicectl: operate a Sluice botnet. The verbs follow intelmqctl's.
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "bot_control.hpp"
#include "bots.hpp"
#include "check.hpp"
#include "cli_error.hpp"
#include "config_edit.hpp"
#include "dump_verbs.hpp"
#include "log_verb.hpp"
#include "metrics_server.hpp"
#include "queues.hpp"
#include "run_bot.hpp"
#include "sluice/core/message.hpp"
#include "supervisor.hpp"
#include "systemd_units.hpp"

namespace {

int usage(std::ostream& os, int code) {
    os << "usage: sluicectl [--config FILE] <verb> [options]\n"
          "\n"
          "  up [--until-idle] [--timeout S] [bot...]   run the enabled bots in the foreground, supervised;\n"
          "                                             --until-idle exits once collectors are done and\n"
          "                                             every queue is drained\n"
          "  start|stop|restart|reload|status [bot...|--group collectors|parsers|experts|outputs] [--json]\n"
          "                                             hosts in the background (one per bot, by lock);\n"
          "                                             exit 1 when a bot is not in the asked state\n"
          "  enable|disable <bot> [--json]              set the bot's enabled in the file, comments kept\n"
          "  clear <queue> [--json]                     remove what waits in a bot's input (bot stopped)\n"
          "  check [--json]                             validate the configuration, plugins and parameters\n"
          "  list queues [--json] [--non-zero] [--sum]  messages waiting in each bot's input, on every\n"
          "                                             transport it is fed by (exit 1: a broker is unreachable)\n"
          "  list bots [--json]                         the installed plugins, their kinds and parameters\n"
          "  docs <plugin>                              the plugin's parameter table as Markdown\n"
          "  log <bot> [n] [level] [--json]             the bot's last n (10) log entries at or above level\n"
          "  run <bot>                                  the bot's host in the foreground, log level debug\n"
          "  run <bot> [--msg JSON|@FILE] [--dry-run] [--show-sent] [--json]\n"
          "                                             one message through the bot in-process (without\n"
          "                                             --msg: taken from its input); --dry-run sends and\n"
          "                                             acknowledges nothing (exit 1: the bot failed it)\n"
          "  dump list [--json]                         every bot's dump (dead letters) with its entry count\n"
          "  dump show <bot> [ids] [--raw] [--json]     entries: time, reason, message with raw decoded (--raw:\n"
          "                                             as stored, Base64; ids: 3, 1,4, 2-5, all)\n"
          "  dump edit <bot> <id> [--set key=value]... [--unset key]... [--to <bot>] [--json]\n"
          "                                             change one entry (in $VISUAL/$EDITOR without --set),\n"
          "                                             check it against the harmonization, replay it\n"
          "  dump replay <bot> ids|all [--to <bot>] [--json]\n"
          "                                             re-inject entries into the bot's (or another bot's)\n"
          "                                             input, then remove them from the dump\n"
          "  dump delete <bot> ids|all [--json]         remove entries from the dump\n"
          "  metrics [--listen ADDR:PORT]               serve /metrics (Prometheus) and /health until SIGTERM\n"
          "                                             (default: [metrics] listen, else 127.0.0.1:9120)\n"
          "  health [--json]                            exit 0 when every enabled continuous bot's host runs\n"
          "  systemd [--user] [--prefix DIR]            print systemd units (sluice@.service, sluice-metrics)\n"
          "                                             and the commands enabling every enabled bot\n"
          "\n"
          "The configuration defaults to $SLUICE_CONFIG, else conf/sluice.toml.\n"
          "Exit codes: 0 done; 1 failed, or a bot not in the state asked for; 2 the command line names\n"
          "nothing known (verb, option, bot, queue, entry). With --json an error is {\"error\":…,\"exit\":…}.\n";
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    // var/ holds whole messages (queues, dumps) and logs: group-readable at most, whatever umask
    // the caller had (files 0640, folders 0750). systemd units set the same (UMask=0027).
    ::umask(027);
    std::string config = std::getenv("SLUICE_CONFIG") ? std::getenv("SLUICE_CONFIG") : "conf/sluice.toml";
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if ((a == "--config" || a == "-c") && i + 1 < argc)
            config = argv[++i];
        else if (a == "--help" || a == "-h")
            return usage(std::cout, 0);
        else
            args.push_back(a);
    }
    if (args.empty()) return usage(std::cerr, 2);
    const std::string verb = args[0];
    auto flag = [&](const char* name) {
        for (size_t i = 1; i < args.size(); ++i)
            if (args[i] == name) return true;
        return false;
    };
    try {
        if (verb == "check") return sluice::ctl::run_check(config, flag("--json"));
        if (verb == "start" || verb == "stop" || verb == "restart" || verb == "reload" || verb == "status") {
            sluice::ctl::ControlOptions o;
            o.config = config;
            for (size_t i = 1; i < args.size(); ++i) {
                if (args[i] == "--json")
                    o.json = true;
                else if (args[i] == "--group" && i + 1 < args.size())
                    o.group = args[++i];
                else if (args[i] == "--timeout" && i + 1 < args.size())
                    o.timeout = std::stod(args[++i]);
                else if (args[i].rfind("--", 0) == 0)
                    return usage(std::cerr, 2);
                else
                    o.bots.push_back(args[i]);
            }
            if (verb == "start") return sluice::ctl::run_start(o);
            if (verb == "stop") return sluice::ctl::run_stop(o);
            if (verb == "restart") return sluice::ctl::run_restart(o);
            if (verb == "reload") return sluice::ctl::run_reload(o);
            return sluice::ctl::run_status(o);
        }
        if ((verb == "enable" || verb == "disable") && args.size() >= 2 && args[1].rfind("--", 0) != 0)
            return sluice::ctl::run_set_enabled(config, args[1], verb == "enable", flag("--json"));
        if (verb == "clear" && args.size() >= 2 && args[1].rfind("--", 0) != 0)
            return sluice::ctl::run_clear(config, args[1], flag("--json"));
        if (verb == "up") {
            sluice::ctl::UpOptions o;
            o.config = config;
            for (size_t i = 1; i < args.size(); ++i) {
                if (args[i] == "--until-idle")
                    o.until_idle = true;
                else if (args[i] == "--timeout" && i + 1 < args.size())
                    o.idle_timeout = std::stod(args[++i]);
                else if (args[i].rfind("--", 0) == 0)
                    return usage(std::cerr, 2);
                else
                    o.only.push_back(args[i]);
            }
            return sluice::ctl::run_up(o);
        }
        if (verb == "list" && args.size() >= 2 && args[1] == "bots")
            return sluice::ctl::run_list_bots(config, flag("--json"));
        if (verb == "docs" && args.size() == 2) return sluice::ctl::run_docs(config, args[1]);
        if (verb == "log") return sluice::ctl::run_log(config, std::vector<std::string>(args.begin() + 1, args.end()));
        if (verb == "run")
            return sluice::ctl::run_bot_cli(config, std::vector<std::string>(args.begin() + 1, args.end()));
        if (verb == "dump")
            return sluice::ctl::run_dump(config, std::vector<std::string>(args.begin() + 1, args.end()));
        if (verb == "health") return sluice::ctl::run_health(config, flag("--json"));
        if (verb == "metrics") {
            std::string listen;
            for (size_t i = 1; i < args.size(); ++i) {
                if (args[i] == "--listen" && i + 1 < args.size())
                    listen = args[++i];
                else
                    return usage(std::cerr, 2);
            }
            return sluice::ctl::run_metrics(config, listen);
        }
        if (verb == "systemd") {
            sluice::ctl::SystemdOptions o;
            o.config = config;
            for (size_t i = 1; i < args.size(); ++i) {
                if (args[i] == "--user")
                    o.user = true;
                else if (args[i] == "--prefix" && i + 1 < args.size())
                    o.prefix = args[++i];
                else
                    return usage(std::cerr, 2);
            }
            return sluice::ctl::run_systemd(o);
        }
        if (verb == "list" && args.size() >= 2 && args[1] == "queues")
            return sluice::ctl::run_list_queues(config, flag("--json"), flag("--non-zero"), flag("--sum"));
    } catch (const sluice::ctl::CliError& e) {
        return sluice::ctl::report_error(verb, e.what(), flag("--json"), e.code());
    } catch (const std::invalid_argument& e) {  // a number or a name on the command line that is not one
        return sluice::ctl::report_error(verb, e.what(), flag("--json"), 2);
    } catch (const std::exception& e) {
        return sluice::ctl::report_error(verb, e.what(), flag("--json"), 1);
    }
    if (flag("--json")) return sluice::ctl::report_error(verb, "unknown verb or arguments; see --help", true, 2);
    std::cerr << "sluicectl: unknown verb '" << verb << "'\n";
    return usage(std::cerr, 2);
}

namespace sluice::ctl {

int report_error(const std::string& verb, const std::string& what, bool json, int code) {
    if (json) {
        std::string out = "{\"error\":";
        append_json_string(out, what);
        std::cout << out << ",\"exit\":" << code << "}\n";
    } else {
        std::cerr << "sluicectl " << verb << ": " << what << "\n";
    }
    return code;
}

}  // namespace sluice::ctl
