// SPDX-License-Identifier: AGPL-3.0-or-later
//
// A bot's log: one entry per line with time, bot id, level and message. Until configure() it goes
// to stderr only; after it, the host writes its own file (var/log/<bot>.log), rotated by size,
// as text or as JSON lines, and copies each line to stderr unless told not to (sluicectl's
// supervisor runs hosts that way, keeping their stderr for what only stderr can say: a crash).
//
// Text:  2026-01-02T03:04:05.678 <bot> INFO <message>[ key=value...]
// JSON:  {"time":"2026-01-02T03:04:05.678Z","bot":"<bot>","level":"INFO","message":"...",<fields>}
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

struct BotSettings;

enum class LogLevel { debug = 10, info = 20, warning = 30, error = 40, critical = 50 };
enum class LogFormat { text, json };

std::optional<LogLevel> parse_log_level(std::string_view name);
const char* log_level_name(LogLevel level);

// Optional structured details of one entry: keys of their own in JSON lines, " key=value" after the
// message in text. The names time, bot, level and message are taken (such a field gets a "_").
using LogFields = std::vector<std::pair<std::string, std::string>>;

// One entry read back from a log file of either format (sluicectl log).
struct LogEntry {
    std::string time;  // UTC, as text lines write it: 2026-01-02T03:04:05.678
    std::string bot;
    LogLevel level = LogLevel::info;
    std::string message;
    LogFields fields;  // JSON lines only: text keeps them in the message
};
// A line as Logger writes it, in either format; nullopt for anything else, such as the
// continuation line of a multi-line text message.
std::optional<LogEntry> parse_log_line(std::string_view line);

class LogFile;  // log.cpp: one open, size-rotated file, shared by every Logger of this process writing it

class Logger {
 public:
    explicit Logger(std::string name, LogLevel min = LogLevel::info, std::FILE* out = stderr)
        : name_(std::move(name)), min_(min), out_(out) {}

    // From the bot's settings: level (log_level), format (log_format) and rotation (log_max_bytes,
    // log_backups; backups 0: the file starts over when full). Opens `file` for appending, creating
    // its folder; another Logger of this process on the same file shares it (one size count, one
    // rotation). Calling it again (a reload) applies the new settings. Throws std::runtime_error
    // naming the file when it cannot be opened.
    void configure(const BotSettings& settings, const std::filesystem::path& file);

    void log(LogLevel level, std::string_view text, const LogFields& fields = {}) const;
    void debug(std::string_view t) const { log(LogLevel::debug, t); }
    void info(std::string_view t) const { log(LogLevel::info, t); }
    void warning(std::string_view t) const { log(LogLevel::warning, t); }
    void error(std::string_view t) const { log(LogLevel::error, t); }
    void critical(std::string_view t) const { log(LogLevel::critical, t); }
    void set_level(LogLevel l) { min_ = l; }
    LogLevel level() const { return min_; }
    void set_format(LogFormat f) { format_ = f; }
    const std::string& name() const { return name_; }

    // Whether configured Loggers of this process also copy their lines to stderr (default yes).
    // Process-wide because stderr is: sluice-host --no-stderr-log turns it off.
    static void set_stderr_copy(bool on);

    // One entry as written, without the newline (exposed for tests and for `sluicectl log`).
    static std::string format_line(LogFormat format, std::string_view stamp, std::string_view bot, LogLevel level,
                                   std::string_view text, const LogFields& fields);

 private:
    std::string name_;
    LogLevel min_;
    LogFormat format_ = LogFormat::text;
    std::FILE* out_;
    std::shared_ptr<LogFile> file_;
};

}  // namespace sluice
