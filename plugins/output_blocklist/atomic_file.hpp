// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Replaces a file so that a reader sees the old content or the new, never a part: the new content
// goes to a temporary file in the same folder, is fsynced, renamed over the file, and the folder is
// fsynced so the rename itself survives a crash.
#pragma once

#include <filesystem>
#include <string_view>

namespace sluice::output_blocklist {

// Throws std::system_error naming the file; leaves no temporary file behind.
void replace_file(const std::filesystem::path& file, std::string_view content);

}  // namespace sluice::output_blocklist
