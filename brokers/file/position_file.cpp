// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Acknowledging does not fsync the cursor. A killed process leaves its writes in the page cache, so
// only an OS crash or power loss can lose a cursor update, and rolling the cursor back only delivers
// acknowledged records again: a duplicate, which at-least-once allows. Syncing on every ack would
// cost as much as the append it follows. What keeps the cursor from ever being ahead of the data on
// disk is the consumer's rule (file_consumer.cpp): it saves a position only once `synced` covers it.
#include "position_file.hpp"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "file_io.hpp"
#include "record_format.hpp"
#include "segment_dir.hpp"

namespace sluice::fileq {

namespace {

constexpr uint32_t kCursorMagic = 0x32434c53;  // "SLC2"
constexpr uint32_t kSyncedMagic = 0x314d4c53;  // "SLM1"
constexpr size_t kSlotBytes = 40;
// Slots sit in separate filesystem blocks, so that a block torn by a power cut holds at most one.
constexpr std::array<uint64_t, 2> kSlotOffsets = {0, 4096};

struct Slot {
    uint64_t counter;
    SavedPosition position;
};

uint32_t magic_of(PositionFile::Kind kind) { return kind == PositionFile::Kind::cursor ? kCursorMagic : kSyncedMagic; }

std::filesystem::path path_of(const std::filesystem::path& dir, PositionFile::Kind kind) {
    return kind == PositionFile::Kind::cursor ? cursor_path(dir) : synced_path(dir);
}

void store_le64(char* p, uint64_t v) {
    store_le32(p, static_cast<uint32_t>(v));
    store_le32(p + 4, static_cast<uint32_t>(v >> 32));
}

uint64_t load_le64(const char* p) { return uint64_t{load_le32(p)} | uint64_t{load_le32(p + 4)} << 32; }

// [magic][crc32 of bytes 8..40][counter][segment][offset][record start], all little-endian.
void encode_slot(char* out, uint32_t magic, const Slot& slot) {
    store_le32(out, magic);
    store_le64(out + 8, slot.counter);
    store_le64(out + 16, slot.position.at.segment);
    store_le64(out + 24, slot.position.at.offset);
    store_le64(out + 32, slot.position.record_start);
    store_le32(out + 4, payload_crc(out + 8, kSlotBytes - 8));
}

std::optional<Slot> decode_slot(const char* in, uint32_t magic) {
    if (load_le32(in) != magic || load_le32(in + 4) != payload_crc(in + 8, kSlotBytes - 8)) return std::nullopt;
    return Slot{load_le64(in + 8), {{load_le64(in + 16), load_le64(in + 24)}, load_le64(in + 32)}};
}

std::optional<Slot> newest_slot(FileSystem& fs, int fd, const std::filesystem::path& path, uint32_t magic) {
    std::optional<Slot> best;
    for (uint64_t offset : kSlotOffsets) {
        char bytes[kSlotBytes];
        if (pread_full(fs, fd, bytes, kSlotBytes, offset, path) != kSlotBytes) continue;
        const auto slot = decode_slot(bytes, magic);
        if (slot && (!best || slot->counter > best->counter)) best = slot;
    }
    return best;
}

}  // namespace

PositionFile::PositionFile(FileSystem& fs, const std::filesystem::path& dir, Kind kind)
    : fs_(fs), path_(path_of(dir, kind)), magic_(magic_of(kind)) {
    fd_ = open_file(fs_, path_, O_RDWR | O_CREAT);
    // Both slots' blocks are allocated now, so that acknowledging never needs a new block: on a full
    // disk a consumer must still move its cursor, or nothing is ever freed. Content and size stay as
    // they are (another process may be writing a slot). Without fallocate, the first store allocates.
    if (fs_.fallocate(fd_.get(), 0, static_cast<off_t>(kSlotOffsets.back() + kSlotBytes)) != 0 &&
        (errno == ENOSPC || errno == EDQUOT)) {
        throw_io_error("allocate", path_, errno);
    }
}

std::optional<SavedPosition> PositionFile::load() {
    const auto slot = newest_slot(fs_, fd_.get(), path_, magic_);
    if (!slot) return std::nullopt;
    counter_ = slot->counter;
    return slot->position;
}

void PositionFile::store(const SavedPosition& position) {
    ++counter_;
    char bytes[kSlotBytes];
    encode_slot(bytes, magic_, {counter_, position});
    // The slot not holding the newest value is the one overwritten; the newest survives a torn write.
    pwrite_all(fs_, fd_.get(), bytes, kSlotBytes, kSlotOffsets[counter_ % 2], path_);
}

Position PositionFile::raise(const Position& position) {
    const auto current = load();
    if (current && current->at >= position) return current->at;
    store({position, position.offset});
    return position;
}

uint64_t synced_end(PositionFile& synced, uint64_t sequence) {
    const auto mark = synced.load();
    if (!mark || mark->at.segment < sequence) return 0;
    return mark->at.segment > sequence ? UINT64_MAX : mark->at.offset;
}

std::optional<SavedPosition> read_position_file(FileSystem& fs, const std::filesystem::path& dir,
                                                PositionFile::Kind kind) {
    const std::filesystem::path path = path_of(dir, kind);
    UniqueFd fd = open_file(fs, path, O_RDONLY, /*missing_ok=*/true);
    if (!fd) return std::nullopt;
    const auto slot = newest_slot(fs, fd.get(), path, magic_of(kind));
    if (!slot) return std::nullopt;
    return slot->position;
}

Position resume_position(const std::optional<Position>& saved, const std::vector<uint64_t>& segments) {
    if (segments.empty()) return {};
    if (saved && std::find(segments.begin(), segments.end(), saved->segment) != segments.end()) return *saved;
    return {segments.front(), 0};
}

}  // namespace sluice::fileq
