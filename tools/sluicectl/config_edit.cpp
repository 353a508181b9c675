// SPDX-License-Identifier: AGPL-3.0-or-later
#include "config_edit.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <vector>

#include "cli_error.hpp"
#include "sluice/core/config.hpp"
#include "sluice/core/message.hpp"

namespace sluice::ctl {
namespace {

std::string regex_escape(const std::string& s) {
    static const std::regex special(R"([.^$|()\[\]{}*+?\\-])");
    return std::regex_replace(s, special, R"(\$&)");
}

}  // namespace

std::string with_enabled(const std::string& toml, const std::string& bot, bool enabled) {
    std::vector<std::string> lines;
    std::istringstream in(toml);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    const std::string id = regex_escape(bot);
    const std::regex header(R"(^\s*\[\s*bots\s*\.\s*(")" + id + R"("|')" + id + R"('|)" + id + R"()\s*\]\s*(#.*)?$)");
    const std::regex any_header(R"(^\s*\[)");
    const std::regex key(R"(^(\s*enabled\s*=\s*)(true|false)(.*)$)");
    size_t at = lines.size();
    for (size_t i = 0; i < lines.size(); ++i)
        if (std::regex_match(lines[i], header)) {
            at = i;
            break;
        }
    if (at == lines.size())
        throw std::runtime_error("no [bots." + bot +
                                 "] section to edit (a bot defined as an inline table must be "
                                 "edited by hand)");
    const std::string value = enabled ? "true" : "false";
    for (size_t i = at + 1; i < lines.size() && !std::regex_search(lines[i], any_header); ++i) {
        std::smatch m;
        if (std::regex_match(lines[i], m, key)) {
            lines[i] = m[1].str() + value + m[3].str();  // the comment after the value stays
            at = lines.size();
            break;
        }
    }
    if (at < lines.size()) lines.insert(lines.begin() + static_cast<long>(at) + 1, "enabled = " + value);
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

namespace {

// Writes `text` to `tmp` with the mode and owner of `original` (a 0600 file holding a broker
// password stays 0600), synced, so that the rename cannot leave an empty file after a crash.
void write_like(const std::string& original, const std::string& tmp, const std::string& text) {
    struct stat st {};
    if (::stat(original.c_str(), &st) != 0)
        throw std::runtime_error("cannot read " + original + ": " + std::strerror(errno));
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
    bool ok = ::fchmod(fd, st.st_mode & 07777) == 0;
    // Another owner can only be kept by root; anyone else's file stays theirs only if it was.
    if (::fchown(fd, st.st_uid, st.st_gid) != 0 && errno != EPERM) ok = false;
    for (size_t done = 0; ok && done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!ok) {
        std::remove(tmp.c_str());
        throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(err));
    }
}

void sync_folder_of(const std::string& file) {
    const auto folder = std::filesystem::absolute(file).parent_path();
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;  // the rename is done; only its durability across a crash is weaker
    (void)::fsync(fd);
    ::close(fd);
}

}  // namespace

int run_set_enabled(const std::string& config, const std::string& bot, bool enabled, bool json) {
    std::ifstream in(config);
    if (!in) throw std::runtime_error("cannot read " + config);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    std::vector<std::string> problems;
    if (const Config current = load_config(config, problems); problems.empty() && !current.bots.count(bot))
        throw unknown_bot(bot, config);
    const std::string edited = with_enabled(text, bot, enabled);
    // Checked before it replaces the file: the same folder, so relative paths resolve the same.
    const std::string tmp = config + ".sluicectl-tmp";
    write_like(config, tmp, edited);
    std::vector<std::string> errors;
    const Config cfg = load_config(tmp, errors);
    if (errors.empty() && (!cfg.bots.count(bot) || cfg.bots.at(bot).enabled != enabled))
        errors.push_back("the edit did not set bots." + bot + ".enabled");
    if (!errors.empty()) {
        std::remove(tmp.c_str());
        std::string all;
        for (const auto& e : errors) all += e + "\n";
        throw std::runtime_error("the edited configuration is refused, nothing changed:\n" + all);
    }
    std::filesystem::rename(tmp, config);
    sync_folder_of(config);
    if (json) {
        std::string out = "{\"bot\":";
        append_json_string(out, bot);
        std::cout << out << ",\"enabled\":" << (enabled ? "true" : "false") << "}\n";
    } else {
        std::cout << bot << ": " << (enabled ? "enabled" : "disabled") << " in " << config << "\n";
    }
    return 0;
}

}  // namespace sluice::ctl
