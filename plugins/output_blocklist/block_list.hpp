// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The entries of one block list with when each was last seen, deduplicated by their canonical
// spelling, expiring `expire` seconds after they were last seen, and kept across restarts in a
// small JSON state file. It knows what changed since it was last written, so the list file is
// rewritten only when its content would differ.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "list_format.hpp"

namespace sluice::output_blocklist {

class BlockList {
 public:
    // expire: seconds after the last sighting an entry is dropped; 0 keeps entries for ever.
    BlockList(Format format, std::filesystem::path state_file, int64_t expire);

    // Reads the state file if there is one; entries the format cannot hold are left out.
    // Throws std::runtime_error naming the file when it cannot be read.
    void load();
    void see(const Indicator& entry, int64_t now, std::string_view source, std::string_view desc);
    // Drops what was not seen for `expire` seconds; returns how many.
    size_t expire(int64_t now);

    bool list_changed() const { return list_changed_; }
    bool state_changed() const { return state_changed_ || list_changed_; }
    // Writes the state file (atomically) and takes the next RPZ serial when the list changed.
    void save_state();
    void mark_written() { list_changed_ = state_changed_ = false; }

    std::vector<const Entry*> sorted() const;
    uint32_t serial() const { return serial_; }
    size_t size() const { return entries_.size(); }
    const std::filesystem::path& state_file() const { return state_file_; }

 private:
    Format format_;
    std::filesystem::path state_file_;
    int64_t expire_;
    int64_t resolution_;  // how stale a stored last_seen may get before the state is rewritten
    std::map<std::string, Entry> entries_;
    uint32_t serial_ = 0;  // the RPZ zone's SOA serial, increased on every change
    bool list_changed_ = false;
    bool state_changed_ = false;
};

}  // namespace sluice::output_blocklist
