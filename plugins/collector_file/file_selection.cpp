// SPDX-License-Identifier: AGPL-3.0-or-later
#include "file_selection.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <stdexcept>
#include <system_error>

namespace fs = std::filesystem;

namespace sluice::collector_file {

FileSelection::FileSelection(fs::path path, std::string postfix, std::string pattern)
    : postfix_(std::move(postfix)), pattern_(pattern.empty() ? "*" : std::move(pattern)) {
    std::error_code ec;
    path_ = fs::absolute(path, ec).lexically_normal();
    if (ec) path_ = path;
    const fs::file_status st = fs::status(path_, ec);
    if (fs::is_directory(st)) {
        folder_ = true;
    } else if (fs::is_regular_file(st)) {
        folder_ = false;
    } else if (!fs::exists(st)) {
        throw std::invalid_argument("no such file or folder");
    } else {
        throw std::invalid_argument("neither a regular file nor a folder");
    }
}

bool FileSelection::matches(const std::string& file_name) const {
    // Python's fnmatch has no escape character: FNM_NOESCAPE. No FNM_PERIOD: '*' matches ".x".
    const std::string by_postfix = "*" + postfix_;
    return ::fnmatch(by_postfix.c_str(), file_name.c_str(), FNM_NOESCAPE) == 0 &&
           ::fnmatch(pattern_.c_str(), file_name.c_str(), FNM_NOESCAPE) == 0;
}

std::vector<fs::path> FileSelection::list() const {
    std::vector<fs::path> out;
    std::error_code ec;
    if (!folder_) {
        if (fs::is_regular_file(path_, ec)) out.push_back(path_);
        return out;
    }
    for (const fs::directory_entry& entry : fs::directory_iterator(path_)) {
        if (!entry.is_regular_file(ec)) continue;
        if (matches(entry.path().filename().string())) out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace sluice::collector_file
