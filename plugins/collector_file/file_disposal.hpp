// SPDX-License-Identifier: AGPL-3.0-or-later
//
// What happens to a file once its report is durable downstream: nothing, deletion, or a move into
// `move_to`. Only a file whose identity is unchanged since it was read is touched; one that changed
// (appended to, replaced) is left in place, to be read again — a duplicate, never a loss. A move
// never overwrites: a name already taken in `move_to` gets a ".1", ".2", … suffix, and a move across
// file systems is a copy made durable (fsync) before the original is removed.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "file_reader.hpp"

namespace sluice::collector_file {

class FileDisposal {
 public:
    enum class Mode { keep, remove, move };

    FileDisposal() = default;
    FileDisposal(Mode mode, std::filesystem::path move_to) : mode_(mode), move_to_(std::move(move_to)) {}

    Mode mode() const { return mode_; }

    // Disposes of one read file. Returns an empty string when done, else why the file was left.
    std::string dispose(const std::filesystem::path& path, const FileIdentity& read_as) const;

 private:
    std::string move(const std::filesystem::path& path) const;

    Mode mode_ = Mode::keep;
    std::filesystem::path move_to_;
};

}  // namespace sluice::collector_file
