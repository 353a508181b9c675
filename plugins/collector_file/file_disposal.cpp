// SPDX-License-Identifier: AGPL-3.0-or-later
#include "file_disposal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "unique_fd.hpp"

namespace fs = std::filesystem;

namespace sluice::collector_file {
namespace {

void sync_path(const fs::path& p, int flags) {
    bot_fd::UniqueFd fd(::open(p.c_str(), flags | O_CLOEXEC));
    if (fd) ::fsync(fd.get());
}

// A name in `folder` that is not taken yet: name, name.1, name.2, ...
fs::path free_name(const fs::path& folder, const fs::path& name) {
    fs::path target = folder / name;
    std::error_code ec;
    for (int i = 1; fs::exists(target, ec); ++i) target = folder / (name.string() + "." + std::to_string(i));
    return target;
}

}  // namespace

std::string FileDisposal::dispose(const fs::path& path, const FileIdentity& read_as) const {
    if (mode_ == Mode::keep) return {};
    const auto now = identity_of(path);
    if (!now) return "it is gone";
    if (!(*now == read_as)) return "it changed after it was read; it will be read again";
    if (mode_ == Mode::remove) {
        if (::unlink(path.c_str()) != 0) return std::string("cannot delete it: ") + std::strerror(errno);
        sync_path(path.parent_path(), O_RDONLY | O_DIRECTORY);
        return {};
    }
    return move(path);
}

std::string FileDisposal::move(const fs::path& path) const {
    const fs::path target = free_name(move_to_, path.filename());
    // link + unlink instead of rename: rename would silently replace a file that appeared at
    // `target` in between, link refuses.
    if (::link(path.c_str(), target.c_str()) == 0) {
        sync_path(move_to_, O_RDONLY | O_DIRECTORY);
        if (::unlink(path.c_str()) != 0)
            return std::string("moved, but cannot remove the original: ") + std::strerror(errno);
        sync_path(path.parent_path(), O_RDONLY | O_DIRECTORY);
        return {};
    }
    if (errno != EXDEV && errno != EPERM && errno != EOPNOTSUPP) {
        return "cannot move it to " + target.string() + ": " + std::strerror(errno);
    }
    // Another file system (or no hard links there): copy, make the copy durable, then remove.
    std::error_code ec;
    if (!fs::copy_file(path, target, fs::copy_options::none, ec)) {
        return "cannot copy it to " + target.string() + ": " + ec.message();
    }
    sync_path(target, O_RDONLY);
    sync_path(move_to_, O_RDONLY | O_DIRECTORY);
    if (::unlink(path.c_str()) != 0)
        return std::string("copied, but cannot remove the original: ") + std::strerror(errno);
    sync_path(path.parent_path(), O_RDONLY | O_DIRECTORY);
    return {};
}

}  // namespace sluice::collector_file
