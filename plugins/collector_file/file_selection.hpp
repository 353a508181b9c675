// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Which files one collect reads. `path` is either one file (read as is) or a folder, whose regular
// files (not its sub-folders) are read when their name ends with `postfix` — IntelMQ's
// fnmatch('*' + postfix) — and matches the `pattern` glob, in name order. Globs are Python
// fnmatch globs: * ? [seq] [!seq], no escape character, '*' also matches a leading dot.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace sluice::collector_file {

class FileSelection {
 public:
    // Throws std::invalid_argument naming `path` when it is neither a file nor a folder.
    FileSelection(std::filesystem::path path, std::string postfix, std::string pattern);

    bool is_folder() const { return folder_; }
    const std::filesystem::path& path() const { return path_; }
    // True when a folder's every file would be selected.
    bool selects_everything() const { return folder_ && postfix_.empty() && pattern_ == "*"; }

    // The files to read now, as absolute paths. Throws std::filesystem::filesystem_error when the
    // folder cannot be listed; a single file that is gone gives an empty list.
    std::vector<std::filesystem::path> list() const;

    bool matches(const std::string& file_name) const;

 private:
    std::filesystem::path path_;  // absolute, normalised
    bool folder_ = false;
    std::string postfix_;
    std::string pattern_;
};

}  // namespace sluice::collector_file
