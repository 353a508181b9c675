// SPDX-License-Identifier: AGPL-3.0-or-later
// sluicectl: operate a Sluice botnet. The verbs follow intelmqctl's.
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "bots.hpp"
#include "check.hpp"
#include "queues.hpp"
#include "supervisor.hpp"

namespace {

int usage(std::ostream& os, int code) {
    os << "usage: sluicectl [--config FILE] <verb> [options]\n"
          "\n"
          "  up [--until-idle] [--timeout S] [bot...]   run the enabled bots in the foreground, supervised;\n"
          "                                             --until-idle exits once collectors are done and\n"
          "                                             every queue is drained\n"
          "  check [--json]                             validate the configuration, plugins and parameters\n"
          "  list queues [--json] [--non-zero] [--sum]  messages waiting in each bot's input, on every\n"
          "                                             transport it is fed by (exit 1: a broker is unreachable)\n"
          "  list bots [--json]                         the installed plugins, their kinds and parameters\n"
          "  docs <plugin>                              the plugin's parameter table as Markdown\n"
          "\n"
          "The configuration defaults to $SLUICE_CONFIG, else conf/sluice.toml.\n";
    return code;
}

}  // namespace

int main(int argc, char** argv) {
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
        if (verb == "list" && args.size() >= 2 && args[1] == "bots") return sluice::ctl::run_list_bots(config, flag("--json"));
        if (verb == "docs" && args.size() == 2) return sluice::ctl::run_docs(config, args[1]);
        if (verb == "list" && args.size() >= 2 && args[1] == "queues")
            return sluice::ctl::run_list_queues(config, flag("--json"), flag("--non-zero"), flag("--sum"));
    } catch (const std::exception& e) {
        std::cerr << "sluicectl " << verb << ": " << e.what() << "\n";
        return 1;
    }
    std::cerr << "sluicectl: unknown verb '" << verb << "'\n";
    return usage(std::cerr, 2);
}
