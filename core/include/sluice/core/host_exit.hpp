// SPDX-License-Identifier: AGPL-3.0-or-later
// Exit codes of sluice-host that tell its supervisor (sluicectl up, systemd) why it ended.
#pragma once

namespace sluice {

inline constexpr int kExitConfigRefused = 2;  // refused its configuration: not restarted
inline constexpr int kExitStopProcedure = 3;  // error_procedure "stop" after a failed message
inline constexpr int kExitTimedOut = 4;       // a message ran past process_timeout (watchdog.hpp)
inline constexpr int kExitOutOfMemory = 5;    // a message took the host past memory_max

}  // namespace sluice
