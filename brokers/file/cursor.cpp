// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Acknowledging does not fsync the cursor. A killed process leaves its writes in the page cache, so
// only an OS crash or power loss can lose a cursor update, and rolling the cursor back only delivers
// acknowledged records again: a duplicate, which at-least-once allows. Syncing on every ack would
// cost as much as the append it follows.
#include "cursor.hpp"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "file_io.hpp"
#include "record_format.hpp"
#include "segment_dir.hpp"

namespace sluice::fileq {

namespace {

constexpr uint32_t kSlotMagic = 0x31434c53;  // "SLC1"
constexpr size_t kSlotBytes = 32;
// Slots sit in separate filesystem blocks, so that a block torn by a power cut holds at most one.
constexpr std::array<uint64_t, 2> kSlotOffsets = {0, 4096};

struct Slot {
    uint64_t counter;
    Position position;
};

void store_le64(char* p, uint64_t v) {
    store_le32(p, static_cast<uint32_t>(v));
    store_le32(p + 4, static_cast<uint32_t>(v >> 32));
}

uint64_t load_le64(const char* p) { return uint64_t{load_le32(p)} | uint64_t{load_le32(p + 4)} << 32; }

// [magic][crc32 of bytes 8..32][counter][segment][offset], all little-endian.
void encode_slot(char* out, const Slot& slot) {
    store_le32(out, kSlotMagic);
    store_le64(out + 8, slot.counter);
    store_le64(out + 16, slot.position.segment);
    store_le64(out + 24, slot.position.offset);
    store_le32(out + 4, payload_crc(out + 8, kSlotBytes - 8));
}

std::optional<Slot> decode_slot(const char* in) {
    if (load_le32(in) != kSlotMagic || load_le32(in + 4) != payload_crc(in + 8, kSlotBytes - 8)) return std::nullopt;
    return Slot{load_le64(in + 8), {load_le64(in + 16), load_le64(in + 24)}};
}

std::optional<Slot> newest_slot(int fd, const std::filesystem::path& path) {
    std::optional<Slot> best;
    for (uint64_t offset : kSlotOffsets) {
        char bytes[kSlotBytes];
        if (pread_full(fd, bytes, kSlotBytes, offset, path) != kSlotBytes) continue;
        const auto slot = decode_slot(bytes);
        if (slot && (!best || slot->counter > best->counter)) best = slot;
    }
    return best;
}

}  // namespace

CursorFile::CursorFile(const std::filesystem::path& dir) : path_(cursor_path(dir)) {
    fd_ = open_file(path_, O_RDWR | O_CREAT);
}

std::optional<Position> CursorFile::load() {
    const auto slot = newest_slot(fd_.get(), path_);
    if (!slot) return std::nullopt;
    counter_ = slot->counter;
    return slot->position;
}

void CursorFile::store(const Position& position) {
    ++counter_;
    char bytes[kSlotBytes];
    encode_slot(bytes, {counter_, position});
    // The slot not holding the newest value is the one overwritten; the newest survives a torn write.
    pwrite_all(fd_.get(), bytes, kSlotBytes, kSlotOffsets[counter_ % 2], path_);
}

std::optional<Position> read_saved_cursor(const std::filesystem::path& dir) {
    const std::filesystem::path path = cursor_path(dir);
    UniqueFd fd = open_file(path, O_RDONLY, /*missing_ok=*/true);
    if (!fd) return std::nullopt;
    const auto slot = newest_slot(fd.get(), path);
    if (!slot) return std::nullopt;
    return slot->position;
}

Position resume_position(const std::optional<Position>& saved, const std::vector<uint64_t>& segments) {
    if (segments.empty()) return {};
    if (saved && std::find(segments.begin(), segments.end(), saved->segment) != segments.end()) return *saved;
    return {segments.front(), 0};
}

}  // namespace sluice::fileq
