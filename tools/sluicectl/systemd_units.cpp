// SPDX-License-Identifier: AGPL-3.0-or-later
#include "systemd_units.hpp"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "check.hpp"
#include "sluice/core/config.hpp"

namespace sluice::ctl {
namespace {

std::filesystem::path bin_dir(const std::string& prefix) {
    if (!prefix.empty()) return std::filesystem::absolute(std::filesystem::path(prefix) / "bin");
    char self[4096];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return "/usr/local/bin";
    self[n] = '\0';
    return std::filesystem::path(self).parent_path();
}

// systemd splits ExecStart= on spaces and expands % and $: quote a path that needs it.
std::string arg(const std::string& s) {
    std::string out;
    bool quote = s.find_first_of(" \t\"'\\") != std::string::npos;
    for (char c : s) {
        if (c == '%')
            out += "%%";
        else if (c == '$')
            out += "$$";
        else if (c == '"' || c == '\\')
            out += '\\', out += c;
        else
            out += c;
    }
    return quote ? "\"" + out + "\"" : out;
}

}  // namespace

int run_systemd(const SystemdOptions& o) {
    const auto loaded = load_or_report(o.config);
    if (!loaded) return 1;
    const Config& cfg = *loaded;
    const auto bin = bin_dir(o.prefix);
    const std::string config = arg(cfg.file.string());
    const std::string wanted_by = o.user ? "default.target" : "multi-user.target";
    const std::string listen = cfg.metrics_listen.empty() ? "127.0.0.1:9120" : cfg.metrics_listen;

    std::cout << "# ---- sluice@.service ----\n"
                 "# One instance per bot: sluice@<bot>. Install in "
              << (o.user ? "~/.config/systemd/user/" : "/etc/systemd/system/")
              << ".\n"
                 "[Unit]\n"
                 "Description=Sluice bot %i\n"
                 "After=network-online.target\n"
                 "Wants=network-online.target\n"
                 "# Give up only after many quick crashes; a message that crashes the host is dumped by it.\n"
                 "StartLimitIntervalSec=60\n"
                 "StartLimitBurst=10\n"
                 "\n"
                 "[Service]\n"
                 "Type=simple\n"
              << "WorkingDirectory=" << arg(cfg.base_dir.string()) << "\n"
              << "ExecStart=" << arg((bin / "sluice-host").string()) << " --config " << config << " %i\n"
              << "ExecReload=/bin/kill -HUP $MAINPID\n"
                 "Restart=always\n"
                 "RestartSec=2\n"
                 "# SIGTERM lets the host finish and acknowledge its batch before it exits.\n"
                 "KillSignal=SIGTERM\n"
                 "TimeoutStopSec=30\n"
                 "NoNewPrivileges=yes\n"
                 "# Queues, dumps (whole messages) and logs readable by the sluice group only.\n"
                 "UMask=0027\n";
    if (!o.user)
        std::cout << "ProtectSystem=strict\n"
                  << "# Add every folder an output bot writes to outside the var folder.\n"
                  << "ReadWritePaths=" << arg(cfg.var_dir.string()) << "\n"
                  << "PrivateTmp=yes\n"
                     "ProtectKernelTunables=yes\n"
                     "ProtectControlGroups=yes\n"
                     "RestrictSUIDSGID=yes\n"
                     "# An unprivileged user that owns the var folder; create it with\n"
                     "#   useradd --system --home-dir "
                  << arg(cfg.var_dir.string()) << " --shell /usr/sbin/nologin sluice\n"
                  << "#   chown -R sluice:sluice " << arg(cfg.var_dir.string()) << "\n"
                  << "User=sluice\n"
                     "Group=sluice\n";
    std::cout << "\n[Install]\nWantedBy=" << wanted_by << "\n\n";

    std::cout << "# ---- sluice-metrics.service ----\n"
                 "[Unit]\n"
                 "Description=Sluice Prometheus endpoint (/metrics, /health)\n"
                 "After=network-online.target\n"
                 "\n"
                 "[Service]\n"
                 "Type=simple\n"
              << "WorkingDirectory=" << arg(cfg.base_dir.string()) << "\n"
              << "ExecStart=" << arg((bin / "sluicectl").string()) << " --config " << config << " metrics --listen "
              << arg(listen) << "\n"
              << "Restart=always\n"
                 "RestartSec=2\n"
                 "KillSignal=SIGTERM\n"
                 "NoNewPrivileges=yes\n"
                 "UMask=0027\n";
    if (!o.user)
        std::cout << "ProtectSystem=strict\n"
                     "PrivateTmp=yes\n"
                     "User=sluice\n"
                     "Group=sluice\n";
    std::cout << "\n[Install]\nWantedBy=" << wanted_by << "\n\n";

    // The host limits itself too (RLIMIT_DATA); the cgroup limit also bounds what its children and
    // shared mappings take, and its OOM kill counts against the message like any SIGKILL.
    for (const auto& [id, b] : cfg.bots) {
        if (!b.enabled || b.remote || b.settings.memory_max == 0) continue;
        std::cout << "# ---- sluice@" << id
                  << ".service.d/memory.conf ----\n[Service]\nMemoryMax=" << b.settings.memory_max << "\n\n";
    }
    const std::string systemctl = o.user ? "systemctl --user" : "systemctl";
    std::cout << "# ---- enable ----\n" << systemctl << " daemon-reload\n";
    for (const auto& [id, b] : cfg.bots) {
        if (!b.enabled || b.remote) continue;
        if (b.settings.run_mode == "scheduled") {
            // Restart=always would re-run it every RestartSec: a drop-in and a timer run it instead.
            std::cout << "# " << id << " has run_mode = \"scheduled\": give sluice@" << id
                      << ".service.d/timer.conf [Service] Restart=on-failure,\n# and a sluice@" << id
                      << ".timer (OnCalendar=) that starts it\n";
            continue;
        }
        std::cout << systemctl << " enable --now sluice@" << id << "\n";
    }
    std::cout << systemctl << " enable --now sluice-metrics\n";
    return 0;
}

}  // namespace sluice::ctl
