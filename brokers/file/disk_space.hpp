// SPDX-License-Identifier: AGPL-3.0-or-later
// Free space under a queue, and the reserve appends leave to the consumers (file_queue.hpp).
#pragma once

#include <cstdint>
#include <filesystem>

#include "sluice/brokers/file_queue.hpp"
#include "sluice/brokers/file_system.hpp"

namespace sluice::fileq {

struct DiskSpace {
    uint64_t free = UINT64_MAX;  // unknown (statvfs failed): taken as plenty, appends never wait on it
    uint64_t reserve = 0;
    bool below(uint64_t wanted) const { return free < reserve || free - reserve < wanted; }
};

DiskSpace disk_space(FileSystem& fs, const std::filesystem::path& dir, const FileQueueOptions& options);

}  // namespace sluice::fileq
