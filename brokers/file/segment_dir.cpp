// SPDX-License-Identifier: AGPL-3.0-or-later
#include "segment_dir.hpp"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <memory>

#include "file_io.hpp"

namespace sluice::fileq {

namespace {
constexpr std::string_view kPrefix = "seg-";
constexpr std::string_view kSuffix = ".log";
constexpr size_t kDigits = 20;
}  // namespace

std::string segment_file_name(uint64_t sequence) {
    char name[64];
    std::snprintf(name, sizeof name, "seg-%020llu.log", static_cast<unsigned long long>(sequence));
    return name;
}

std::optional<uint64_t> parse_segment_file_name(std::string_view name) {
    if (name.size() != kPrefix.size() + kDigits + kSuffix.size() || !name.starts_with(kPrefix) ||
        !name.ends_with(kSuffix)) {
        return std::nullopt;
    }
    const std::string_view digits = name.substr(kPrefix.size(), kDigits);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    uint64_t sequence = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), sequence);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    return sequence;
}

std::vector<uint64_t> list_segments(const std::filesystem::path& dir) {
    std::unique_ptr<DIR, int (*)(DIR*)> handle(::opendir(dir.c_str()), &::closedir);
    if (!handle) {
        if (errno == ENOENT) return {};
        throw_io_error("list", dir, errno);
    }
    std::vector<uint64_t> segments;
    for (;;) {
        errno = 0;
        const dirent* entry = ::readdir(handle.get());
        if (entry == nullptr) {
            if (errno != 0) throw_io_error("list", dir, errno);
            break;
        }
        if (auto sequence = parse_segment_file_name(entry->d_name)) segments.push_back(*sequence);
    }
    std::sort(segments.begin(), segments.end());
    return segments;
}

std::optional<uint64_t> next_segment_after(const std::filesystem::path& dir, uint64_t sequence) {
    for (uint64_t entry : list_segments(dir)) {
        if (entry > sequence) return entry;
    }
    return std::nullopt;
}

}  // namespace sluice::fileq
