// SPDX-License-Identifier: AGPL-3.0-or-later
#include "dump_store.hpp"

#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace sluice::ctl {
namespace {

[[noreturn]] void io_error(const std::filesystem::path& p, const char* what) {
    throw std::runtime_error(p.string() + ": " + what + ": " + std::strerror(errno));
}

std::string text_of(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return {buf.GetString(), buf.GetSize()};
}

void parse_entry(DumpEntry& e) {
    rapidjson::Document d;
    d.Parse(e.line.data(), e.line.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("message")) {
        e.damaged = true;
        return;
    }
    auto str = [&](const char* k) {
        return d.HasMember(k) && d[k].IsString() ? std::string(d[k].GetString(), d[k].GetStringLength())
                                                 : std::string();
    };
    e.time = str("time");
    e.bot_id = str("bot_id");
    e.source_queue = str("source_queue");
    e.reason = str("reason");
    const auto& m = d["message"];
    if (m.IsString()) {
        e.message.assign(m.GetString(), m.GetStringLength());
        return;
    }
    e.message_is_json = true;
    // Re-inject the message byte for byte as it was dumped: DumpFile writes it last and verbatim,
    // after string-valued fields only, so the first `,"message":` is the key.
    const size_t key = e.line.find(",\"message\":");
    size_t end = e.line.find_last_not_of(" \t\r");
    if (key != std::string::npos && end != std::string::npos && e.line[end] == '}') {
        const size_t start = key + 11;
        e.message = e.line.substr(start, end - start);
        rapidjson::Document check;
        check.Parse(e.message.data(), e.message.size());
        if (!check.HasParseError() && check == m) return;
    }
    e.message = text_of(m);
}

void write_all(int fd, const std::string& data, const std::filesystem::path& p) {
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            io_error(p, "cannot write");
        }
        done += static_cast<size_t>(n);
    }
}

}  // namespace

std::vector<DumpEntry> read_dump(const std::filesystem::path& file) {
    std::vector<DumpEntry> out;
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        if (std::filesystem::exists(file)) io_error(file, "cannot read dump file");
        return out;
    }
    std::string line;
    while (std::getline(in, line)) {
        DumpEntry e;
        e.id = out.size() + 1;
        e.line = std::move(line);
        parse_entry(e);
        out.push_back(std::move(e));
    }
    // A last line without its newline is an append torn by a crash (or one in progress): it is
    // still an entry to show, and damaged unless it parses.
    return out;
}

DumpLock::DumpLock(const std::filesystem::path& dump_file) {
    const auto lock = dump_file.string() + ".lock";
    std::filesystem::create_directories(dump_file.parent_path());
    fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) io_error(lock, "cannot open dump lock");
    while (::flock(fd_, LOCK_EX) != 0) {
        if (errno == EINTR) continue;
        const int err = errno;
        ::close(fd_);
        errno = err;
        io_error(lock, "cannot lock dump");
    }
}

DumpLock::~DumpLock() {
    if (fd_ >= 0) ::close(fd_);  // closing drops the flock
}

void rewrite_dump(const std::filesystem::path& file, const std::vector<DumpEntry>& entries) {
    std::string data;
    for (const auto& e : entries) data += e.line + "\n";
    const auto tmp = file.string() + ".tmp";  // only ever written under the dump lock
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) io_error(tmp, "cannot create");
    try {
        write_all(fd, data, tmp);
        if (::fsync(fd) != 0) io_error(tmp, "cannot sync");
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    ::close(fd);
    if (::rename(tmp.c_str(), file.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        errno = err;
        io_error(file, "cannot replace dump file");
    }
    // The rename itself is durable only once the folder is synced.
    const int dir = ::open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) io_error(file.parent_path(), "cannot open folder");
    const int rc = ::fsync(dir);
    ::close(dir);
    if (rc != 0) io_error(file.parent_path(), "cannot sync folder");
}

std::set<size_t> parse_entry_ids(const std::vector<std::string>& args, size_t count) {
    std::set<size_t> ids;
    auto number = [&](const std::string& s, const std::string& part) -> size_t {
        size_t used = 0;
        unsigned long long v = 0;
        try {
            v = std::stoull(s, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != s.size() || v == 0)
            throw std::invalid_argument("'" + part + "' is not an entry number (1, 2-5, 1,4 or all)");
        if (v > count)
            throw std::invalid_argument("no entry " + s + ": the dump has " + std::to_string(count) + " entr" +
                                        (count == 1 ? "y" : "ies"));
        return static_cast<size_t>(v);
    };
    for (const auto& arg : args) {
        size_t pos = 0;
        while (pos <= arg.size()) {
            const size_t comma = arg.find(',', pos);
            const std::string part = arg.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
            if (part == "all") {
                for (size_t i = 1; i <= count; ++i) ids.insert(i);
            } else if (const size_t dash = part.find('-'); dash != std::string::npos && dash > 0) {
                const size_t a = number(part.substr(0, dash), part), b = number(part.substr(dash + 1), part);
                if (a > b) throw std::invalid_argument("'" + part + "': the range runs backwards");
                for (size_t i = a; i <= b; ++i) ids.insert(i);
            } else {
                ids.insert(number(part, part));
            }
            if (comma == std::string::npos) break;
            pos = comma + 1;
        }
    }
    return ids;
}

}  // namespace sluice::ctl
