// SPDX-License-Identifier: AGPL-3.0-or-later
#include "file_reader.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "unique_fd.hpp"

namespace sluice::collector_file {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const char* what) {
    throw std::system_error(errno, std::generic_category(), std::string(what) + " " + path.string());
}

FileIdentity identity(const struct stat& st) { return FileIdentity{st.st_dev, st.st_ino, st.st_size, st.st_mtim}; }

}  // namespace

std::optional<ReadFile> read_locked(const std::filesystem::path& path) {
    bot_fd::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd) fail(path, "cannot open");
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) return std::nullopt;
        fail(path, "cannot lock");
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) fail(path, "cannot stat");

    ReadFile out;
    out.path = path;
    out.content.reserve(static_cast<size_t>(st.st_size));
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            fail(path, "cannot read");
        }
        out.content.append(buf, static_cast<size_t>(n));
    }
    // Stat again after reading: a writer that ignores the lock and appended meanwhile changes the
    // identity, and the file is then not deleted.
    if (::fstat(fd.get(), &st) != 0) fail(path, "cannot stat");
    out.identity = identity(st);
    if (static_cast<size_t>(st.st_size) != out.content.size()) out.identity.size = -1;
    return out;  // closing the descriptor releases the lock
}

std::optional<FileIdentity> identity_of(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return identity(st);
}

}  // namespace sluice::collector_file
