// SPDX-License-Identifier: AGPL-3.0-or-later
#include "memory_limit.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <stdexcept>

#include "crash_guard.hpp"
#include "sluice/core/host_exit.hpp"

namespace sluice {
namespace {

// Formatted when the limit is set: the handler runs with no memory to spare.
char g_message[256];
size_t g_message_size = 0;

void on_out_of_memory() {
    (void)!::write(STDERR_FILENO, g_message, g_message_size);
    CrashGuard::mark_death(CrashGuard::Death::out_of_memory);
    ::_exit(kExitOutOfMemory);
}

}  // namespace

void limit_memory(uint64_t bytes, const std::string& bot) {
    if (bytes == 0) return;
    // The soft limit only: a reload with a higher memory_max can raise it again.
    rlimit limit{};
    ::getrlimit(RLIMIT_DATA, &limit);
    limit.rlim_cur = std::min<rlim_t>(static_cast<rlim_t>(bytes), limit.rlim_max);
    if (::setrlimit(RLIMIT_DATA, &limit) != 0)
        throw std::runtime_error("memory_max: cannot limit the host's memory: " + std::string(std::strerror(errno)));
    const std::string text = "sluice-host " + bot + ": CRITICAL: out of memory: the host reached memory_max (" +
                             std::to_string(bytes >> 20) +
                             " MiB); exiting, the message being processed counts as a crash delivery\n";
    g_message_size = std::min(text.size(), sizeof g_message);
    std::memcpy(g_message, text.data(), g_message_size);
    std::set_new_handler(on_out_of_memory);
}

}  // namespace sluice
