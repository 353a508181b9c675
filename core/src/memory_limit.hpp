// SPDX-License-Identifier: AGPL-3.0-or-later
// memory_max: a bot that leaks or a message that makes it allocate without bound must not take the
// machine's memory. The host limits its own data segment (RLIMIT_DATA: heap and private writable
// mappings) to memory_max; an allocation past it fails, and the new-handler then marks the message
// (CrashGuard::Death::out_of_memory) and exits with kExitOutOfMemory instead of throwing
// std::bad_alloc into the bot: a leak is the process's state, which only a restart clears, and the
// message counts as a crash delivery. Under systemd, MemoryMax= in the bot's drop-in bounds it too
// (sluicectl systemd prints it); its OOM kill is a SIGKILL, which counts the same way.
#pragma once

#include <cstdint>
#include <string>

namespace sluice {

// Applies the limit to this process; 0: none. Throws std::runtime_error if the kernel refuses it.
void limit_memory(uint64_t bytes, const std::string& bot);

}  // namespace sluice
