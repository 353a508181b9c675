// SPDX-License-Identifier: AGPL-3.0-or-later
// How much of a queue is waiting for the consumer, read from the directory and the saved cursor.
#pragma once

#include <cstdint>
#include <filesystem>

#include "sluice/brokers/file_system.hpp"

namespace sluice::fileq {

// Bytes (framing included) after the saved cursor: what back-pressure bounds. Measured from the
// cursor rather than as total file size because the newest segment is never deleted, even when fully
// consumed; a bound on file size smaller than one segment could then never be satisfied again.
uint64_t unacked_bytes(FileSystem& fs, const std::filesystem::path& dir);

}  // namespace sluice::fileq
