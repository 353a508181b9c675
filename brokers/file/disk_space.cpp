// SPDX-License-Identifier: AGPL-3.0-or-later
#include "disk_space.hpp"

#include <algorithm>

namespace sluice::fileq {

DiskSpace disk_space(FileSystem& fs, const std::filesystem::path& dir, const FileQueueOptions& options) {
    struct statvfs st {};
    if (fs.statvfs(dir.c_str(), &st) != 0) return {};
    const uint64_t size = uint64_t{st.f_blocks} * st.f_frsize;
    const uint64_t share = size / 100 * std::min(options.reserve_percent, 100u);
    return {uint64_t{st.f_bavail} * st.f_frsize, std::min(options.reserve_bytes, share)};
}

}  // namespace sluice::fileq
