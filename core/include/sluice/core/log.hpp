// SPDX-License-Identifier: AGPL-3.0-or-later
// A bot's log: one line per entry with time, bot id and level, to stderr (sluicectl up collects it).
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

enum class LogLevel { debug = 10, info = 20, warning = 30, error = 40, critical = 50 };

std::optional<LogLevel> parse_log_level(std::string_view name);
const char* log_level_name(LogLevel level);

class Logger {
 public:
    explicit Logger(std::string name, LogLevel min = LogLevel::info, std::FILE* out = stderr)
        : name_(std::move(name)), min_(min), out_(out) {}
    void log(LogLevel level, std::string_view text) const;
    void debug(std::string_view t) const { log(LogLevel::debug, t); }
    void info(std::string_view t) const { log(LogLevel::info, t); }
    void warning(std::string_view t) const { log(LogLevel::warning, t); }
    void error(std::string_view t) const { log(LogLevel::error, t); }
    void set_level(LogLevel l) { min_ = l; }
    const std::string& name() const { return name_; }

 private:
    std::string name_;
    LogLevel min_;
    std::FILE* out_;
};

}  // namespace sluice
