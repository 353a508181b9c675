// SPDX-License-Identifier: AGPL-3.0-or-later
//
// A file opened for appending whose writes are made durable on request. Missing parent folders are
// created, and a newly created file's directory entry is fsynced with it, so "durable" covers the
// file existing at all. A write that fails half-way is cut back to where it began: the file never
// keeps a torn line. If the file at `path` was moved away or deleted (log rotation), the next write
// goes to a new file at `path`, after what went to the old one was made durable.
#pragma once

#include <filesystem>
#include <string_view>

#include "unique_fd.hpp"

namespace sluice::output_file {

class AppendFile {
 public:
    // Throws std::system_error naming the file.
    explicit AppendFile(std::filesystem::path path);

    // Appends everything or nothing; throws std::system_error naming the file.
    void append(std::string_view data);
    // Makes everything appended so far durable (fdatasync); throws std::system_error.
    void sync();

    const std::filesystem::path& path() const { return path_; }

 private:
    void open();
    void reopen_if_replaced();

    std::filesystem::path path_;
    bot_fd::UniqueFd fd_;
    bool unsynced_ = false;
};

}  // namespace sluice::output_file
