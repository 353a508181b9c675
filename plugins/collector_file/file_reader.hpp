// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Reads one file whole, under an exclusive non-blocking flock as IntelMQ's file collector does, so
// a file another process holds locked (still being written) is skipped this time instead of being
// read half-written. Remembers the file's identity (device, inode, size, modification time), so it
// is deleted or moved later only if it is still exactly what was read.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <filesystem>
#include <optional>
#include <string>

namespace sluice::collector_file {

struct FileIdentity {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    timespec modified{};
    bool operator==(const FileIdentity& o) const {
        return device == o.device && inode == o.inode && size == o.size && modified.tv_sec == o.modified.tv_sec &&
               modified.tv_nsec == o.modified.tv_nsec;
    }
};

struct ReadFile {
    std::filesystem::path path;
    FileIdentity identity;
    std::string content;
};

// The file's content, or nothing when another process holds a lock on it.
// Throws std::system_error naming the file on any other failure.
std::optional<ReadFile> read_locked(const std::filesystem::path& path);

// The identity of the file now at `path`, or nothing when there is none.
std::optional<FileIdentity> identity_of(const std::filesystem::path& path);

}  // namespace sluice::collector_file
