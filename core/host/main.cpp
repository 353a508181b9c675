// SPDX-License-Identifier: AGPL-3.0-or-later
// sluice-host: runs one bot of a botnet configuration until told to stop.
//   sluice-host [--config conf/sluice.toml] <bot-id>
// Exit codes: 0 stopped cleanly, 1 failed at run time (the supervisor restarts it), 2 refused to
// start (bad configuration, plugin or parameters; restarting will not help).
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "sluice/core/config.hpp"
#include "sluice/core/host.hpp"
#include "transport_factory.hpp"

namespace {

sluice::HostSignals* g_signals = nullptr;  // the one global: signal handlers reach nothing else

extern "C" void on_signal(int sig) {
    if (!g_signals) return;
    if (sig == SIGHUP)
        g_signals->reload = true;
    else
        g_signals->stop = true;
}

void install_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);
}

// A host allocates and frees blocks of a few hundred kilobytes to a few megabytes all the time:
// ZeroMQ messages, packed batches, file-queue reads. By default glibc maps such blocks one by one
// or trims them off the heap as soon as they are freed, and the next batch faults the pages in
// again: on a ZeroMQ chain that was a third of an expert's CPU time. Blocks below 4 MiB therefore
// come from the heap, which keeps up to 32 MiB of free memory; a report of tens of megabytes is
// still mapped on its own and given back at once.
void keep_batch_memory() {
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
}

int usage() {
    std::cerr << "usage: sluice-host [--config FILE] [--log-level LEVEL] [--no-stderr-log] <bot-id>\n"
                 "Runs one bot of the configuration (default: $SLUICE_CONFIG or conf/sluice.toml).\n"
                 "  --log-level LEVEL  debug, info, warning, error or critical instead of the bot's log_level\n"
                 "  --no-stderr-log    write the log to var/log/<bot>.log only, not also to stderr\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    keep_batch_memory();
    // var/ holds whole messages (queues, dumps) and logs: group-readable at most, whatever umask
    // the caller had (files 0640, folders 0750). systemd units set the same (UMask=0027).
    ::umask(027);
    std::string config_file = std::getenv("SLUICE_CONFIG") ? std::getenv("SLUICE_CONFIG") : "conf/sluice.toml";
    std::string bot;
    std::string log_level;  // overrides the bot's log_level (sluicectl run: debug)
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if ((a == "--config" || a == "-c") && i + 1 < argc)
            config_file = argv[++i];
        else if (a == "--log-level" && i + 1 < argc && sluice::parse_log_level(argv[i + 1]))
            log_level = argv[++i];
        else if (a == "--no-stderr-log")
            sluice::Logger::set_stderr_copy(false);
        else if (a == "--help" || a == "-h")
            return usage(), 0;
        else if (!a.empty() && a[0] != '-' && bot.empty())
            bot = a;
        else
            return usage();
    }
    if (bot.empty()) return usage();

    std::vector<std::string> errors;
    sluice::Config cfg = sluice::load_config(config_file, errors);
    if (!errors.empty()) {
        for (const auto& e : errors) std::cerr << e << "\n";
        std::cerr << "sluice-host: configuration refused, " << bot << " not started\n";
        return 2;
    }
    // Relative paths in bot parameters resolve against the configuration's folder, as [paths] do.
    if (::chdir(cfg.base_dir.c_str()) != 0) {
        std::cerr << cfg.base_dir.string() << ": " << std::strerror(errno) << "\n";
        return 2;
    }
    sluice::HostSignals signals;
    g_signals = &signals;
    install_handlers();
    // Transports report lost and regained broker connections in the bot's own log (the same file
    // as the host's: Loggers of one process share it).
    sluice::Logger transport_log(bot);
    if (auto it = cfg.bots.find(bot); it != cfg.bots.end() && !it->second.remote) {
        if (!log_level.empty()) it->second.settings.log_level = log_level;
        try {
            transport_log.configure(it->second.settings, cfg.log_file(bot));
        } catch (const std::exception& e) {
            std::cerr << bot << ": " << e.what() << "\n";
            return 2;
        }
    }
    std::unique_ptr<sluice::Host> host;
    auto transports = sluice::make_transport_factory(
        [&](sluice::LogLevel level, const std::string& m) { transport_log.log(level, m); },
        [&host](bool waiting) {
            if (host) host->disk_full(waiting);
        });
    try {
        host = std::make_unique<sluice::Host>(std::move(cfg), bot, *transports, signals);
    } catch (const std::exception& e) {
        std::cerr << bot << ": " << e.what() << "\n";
        return 2;
    }
    const int code = host->run();
    host.reset();
    g_signals = nullptr;
    return code;
}
