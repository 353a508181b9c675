// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/log.hpp"

#include <chrono>
#include <ctime>

namespace sluice {

std::optional<LogLevel> parse_log_level(std::string_view name) {
    if (name == "debug" || name == "DEBUG") return LogLevel::debug;
    if (name == "info" || name == "INFO") return LogLevel::info;
    if (name == "warning" || name == "WARNING") return LogLevel::warning;
    if (name == "error" || name == "ERROR") return LogLevel::error;
    if (name == "critical" || name == "CRITICAL") return LogLevel::critical;
    return std::nullopt;
}

const char* log_level_name(LogLevel level) {
    switch (level) {
        case LogLevel::debug:
            return "DEBUG";
        case LogLevel::info:
            return "INFO";
        case LogLevel::warning:
            return "WARNING";
        case LogLevel::error:
            return "ERROR";
        default:
            return "CRITICAL";
    }
}

void Logger::log(LogLevel level, std::string_view text) const {
    if (level < min_) return;
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    // One fprintf per line so lines of concurrent bots sharing a terminal do not interleave.
    std::fprintf(out_, "%s.%03d %s %s %.*s\n", stamp, static_cast<int>(ms), name_.c_str(), log_level_name(level),
                 static_cast<int>(text.size()), text.data());
    std::fflush(out_);
}

}  // namespace sluice
