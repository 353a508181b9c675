// SPDX-License-Identifier: AGPL-3.0-or-later
#include "segment_dir.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <string>

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

std::filesystem::path quarantine_path(const std::filesystem::path& dir, uint64_t sequence, uint64_t offset) {
    std::string name = segment_file_name(sequence);
    name.resize(name.size() - kSuffix.size());
    return quarantine_dir(dir) / (name + "-at-" + std::to_string(offset) + ".bin");
}

std::vector<uint64_t> list_segments(FileSystem& fs, const std::filesystem::path& dir) {
    std::vector<std::string> names;
    if (!fs.list(dir.c_str(), names)) {
        if (errno == ENOENT) return {};
        throw_io_error("list", dir, errno);
    }
    std::vector<uint64_t> segments;
    for (const std::string& name : names) {
        if (auto sequence = parse_segment_file_name(name)) segments.push_back(*sequence);
    }
    std::sort(segments.begin(), segments.end());
    return segments;
}

std::optional<uint64_t> next_segment_after(FileSystem& fs, const std::filesystem::path& dir, uint64_t sequence) {
    for (uint64_t entry : list_segments(fs, dir)) {
        if (entry > sequence) return entry;
    }
    return std::nullopt;
}

}  // namespace sluice::fileq
