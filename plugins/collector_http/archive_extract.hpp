// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Unpacking a downloaded document into the files it holds (libarchive), as IntelMQ's
// utils.unzip does for its http collector: a zip archive, a tar archive (plain, gzip, bzip2 or xz
// compressed), or one gzip-compressed file. Only regular files come out; folders, links and
// devices in an archive are skipped.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::collector_http {

struct ExtractedFile {
    std::optional<std::string> name;  // the path inside the archive; none for a plain gzip file
    std::string content;
};

enum class ArchiveKinds {
    zip_only,  // extract_files = false: IntelMQ still unpacks a zip archive
    any,       // extract_files set: zip, tar (compressed or not), or gzip
};

// The files of `data`, or nullopt when it is none of the `kinds` of archive. Throws
// std::runtime_error when it is one but is damaged.
std::optional<std::vector<ExtractedFile>> extract_archive(std::string_view data, ArchiveKinds kinds);

}  // namespace sluice::collector_http
