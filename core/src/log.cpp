// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <stdexcept>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "sluice/core/config.hpp"
#include "sluice/core/message.hpp"
#include "sluice/core/utf8.hpp"

namespace sluice {
namespace {

std::atomic<bool> g_stderr_copy{true};

std::string now_stamp() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[40];
    const size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(stamp + n, sizeof stamp - n, ".%03d", static_cast<int>(ms));
    return stamp;
}

bool is_reserved(std::string_view key) { return key == "time" || key == "bot" || key == "level" || key == "message"; }

// A text value stays one word so the line splits back into its parts; anything else is quoted.
void append_text_value(std::string& out, std::string_view v) {
    const bool plain = !v.empty() && v.find_first_of(" \"=\t\r\n\\") == std::string_view::npos && valid_utf8(v);
    if (plain)
        out += v;
    else
        append_json_string(out, v);
}

void write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // a log that cannot be written cannot say so either; stderr still has the line
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
}

}  // namespace

// One log file of this process. Rotation only renames: every line is at every instant in exactly
// one file (<bot>.log or a backup), so a kill in the middle of it loses nothing; at worst one
// backup number is missing until the next rotation fills it.
class LogFile {
 public:
    explicit LogFile(std::filesystem::path path) : path_(std::move(path)) { open(); }
    ~LogFile() {
        if (fd_ >= 0) ::close(fd_);
    }
    LogFile(const LogFile&) = delete;
    LogFile& operator=(const LogFile&) = delete;

    static std::shared_ptr<LogFile> shared(const std::filesystem::path& file) {
        static std::mutex mu;
        static std::map<std::string, std::weak_ptr<LogFile>> open_files;
        const std::string key = std::filesystem::absolute(file).lexically_normal().string();
        std::lock_guard lock(mu);
        if (auto existing = open_files[key].lock()) return existing;
        auto made = std::make_shared<LogFile>(key);
        open_files[key] = made;
        return made;
    }

    void set_limits(int64_t max_bytes, int64_t backups) {
        std::lock_guard lock(mu_);
        max_bytes_ = max_bytes;
        backups_ = backups;
    }

    void write(std::string_view line) {
        std::lock_guard lock(mu_);
        if (max_bytes_ > 0 && size_ > 0 && size_ + line.size() > static_cast<uint64_t>(max_bytes_))
            make_room(line.size());
        write_all(fd_, line);
        size_ += line.size();
    }

 private:
    void open() {
        std::error_code ec;
        std::filesystem::create_directories(path_.parent_path(), ec);
        const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0) throw std::runtime_error(path_.string() + ": cannot open the log file: " + std::strerror(errno));
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
        struct stat st {};
        size_ = ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    }

    static std::filesystem::path backup(const std::filesystem::path& p, int64_t n) {
        return p.string() + "." + std::to_string(n);
    }

    void make_room(size_t incoming) {
        // Another process (a second Logger outside this one) may have rotated the file already:
        // then ours is a backup now, and the fresh file is only opened.
        struct stat mine {};
        struct stat named {};
        if (::fstat(fd_, &mine) == 0 &&
            (::stat(path_.c_str(), &named) != 0 || named.st_ino != mine.st_ino || named.st_dev != mine.st_dev)) {
            try {
                open();
            } catch (const std::exception&) {
                // Not reopened: the lines go on into the file we have, which is still a log file.
            }
            if (size_ == 0 || size_ + incoming <= static_cast<uint64_t>(max_bytes_)) return;
        }
        if (backups_ <= 0) {
            // No backups wanted: the file starts over.
            if (::ftruncate(fd_, 0) == 0) size_ = 0;
            return;
        }
        for (int64_t i = backups_ - 1; i >= 1; --i) ::rename(backup(path_, i).c_str(), backup(path_, i + 1).c_str());
        if (::rename(path_.c_str(), backup(path_, 1).c_str()) != 0) {
            // Keep writing where we are rather than lose lines; try again after another max_bytes.
            size_ = 0;
            return;
        }
        try {
            open();
        } catch (const std::exception&) {
            size_ = 0;  // the renamed file keeps the lines until a new one can be opened
        }
    }

    std::filesystem::path path_;
    std::mutex mu_;
    int fd_ = -1;
    uint64_t size_ = 0;
    int64_t max_bytes_ = 0;
    int64_t backups_ = 0;
};

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

std::optional<LogEntry> parse_log_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    LogEntry e;
    if (!line.empty() && line.front() == '{') {
        rapidjson::Document d;
        d.Parse(line.data(), line.size());
        if (d.HasParseError() || !d.IsObject()) return std::nullopt;
        auto text = [&](const char* key) -> std::optional<std::string> {
            auto it = d.FindMember(key);
            if (it == d.MemberEnd() || !it->value.IsString()) return std::nullopt;
            return std::string(it->value.GetString(), it->value.GetStringLength());
        };
        auto time = text("time"), bot = text("bot"), level = text("level"), message = text("message");
        if (!time || !bot || !level || !message) return std::nullopt;
        auto parsed = parse_log_level(*level);
        if (!parsed) return std::nullopt;
        if (!time->empty() && time->back() == 'Z') time->pop_back();
        e.time = std::move(*time);
        e.bot = std::move(*bot);
        e.level = *parsed;
        e.message = std::move(*message);
        for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
            const std::string_view key(it->name.GetString(), it->name.GetStringLength());
            if (is_reserved(key)) continue;
            if (it->value.IsString()) {
                e.fields.emplace_back(key, std::string(it->value.GetString(), it->value.GetStringLength()));
            } else {
                rapidjson::StringBuffer out;
                rapidjson::Writer<rapidjson::StringBuffer> writer(out);
                it->value.Accept(writer);
                e.fields.emplace_back(key, out.GetString());
            }
        }
        return e;
    }
    // <stamp> <bot> <LEVEL> <message>: the stamp has a fixed shape, the bot id has no space.
    constexpr size_t kStamp = 23;  // 2026-01-02T03:04:05.678
    if (line.size() < kStamp + 2 || line[4] != '-' || line[10] != 'T' || line[19] != '.' || line[kStamp] != ' ')
        return std::nullopt;
    const size_t bot_end = line.find(' ', kStamp + 1);
    if (bot_end == std::string_view::npos) return std::nullopt;
    const size_t level_end = line.find(' ', bot_end + 1);
    const std::string_view level = line.substr(
        bot_end + 1, level_end == std::string_view::npos ? std::string_view::npos : level_end - bot_end - 1);
    auto parsed = parse_log_level(level);
    if (!parsed || level != log_level_name(*parsed)) return std::nullopt;
    e.time = line.substr(0, kStamp);
    e.bot = line.substr(kStamp + 1, bot_end - kStamp - 1);
    e.level = *parsed;
    if (level_end != std::string_view::npos) e.message = line.substr(level_end + 1);
    return e;
}

void Logger::set_stderr_copy(bool on) { g_stderr_copy = on; }

void Logger::configure(const BotSettings& settings, const std::filesystem::path& file) {
    if (auto level = parse_log_level(settings.log_level)) min_ = *level;
    format_ = settings.log_format == "json" ? LogFormat::json : LogFormat::text;
    auto shared = LogFile::shared(file);
    shared->set_limits(settings.log_max_bytes, settings.log_backups);
    file_ = std::move(shared);
}

// The longest message a log line keeps (bytes): enough for any reason, not for a report.
constexpr size_t kMaxLogMessage = 16 * 1024;

std::string Logger::format_line(LogFormat format, std::string_view stamp, std::string_view bot, LogLevel level,
                                std::string_view text, const LogFields& fields) {
    std::string line;
    line.reserve(64 + bot.size() + text.size());
    if (format == LogFormat::text) {
        line.append(stamp).append(" ").append(bot).append(" ").append(log_level_name(level)).append(" ").append(text);
        for (const auto& [key, value] : fields) {
            line += ' ';
            line += key;
            line += '=';
            append_text_value(line, value);
        }
        return line;
    }
    line += "{\"time\":";
    append_json_string(line, std::string(stamp) + "Z");
    line += ",\"bot\":";
    append_json_string(line, bot);
    line += ",\"level\":";
    append_json_string(line, log_level_name(level));
    line += ",\"message\":";
    append_json_string(line, text);
    for (const auto& [key, value] : fields) {
        line += ',';
        append_json_string(line, is_reserved(key) ? "_" + key : key);
        line += ':';
        append_json_string(line, value);
    }
    line += '}';
    return line;
}

void Logger::log(LogLevel level, std::string_view text, const LogFields& fields) const {
    if (level < min_) return;
    // A message quoting a huge value (a 10 MB field in a reason) is cut, saying so; the line is
    // valid UTF-8 whatever the value held (the JSON format repairs in append_json_string).
    const std::string bounded =
        text.size() > kMaxLogMessage || !valid_utf8(text) ? quote_prefix(text, kMaxLogMessage) : std::string();
    if (!bounded.empty()) text = bounded;
    std::string line = format_line(format_, now_stamp(), name_, level, text, fields);
    line += '\n';
    if (file_) file_->write(line);
    // One write per line so lines of concurrent bots sharing a terminal do not interleave.
    if (out_ && (!file_ || g_stderr_copy)) {
        std::fwrite(line.data(), 1, line.size(), out_);
        std::fflush(out_);
    }
}

}  // namespace sluice
