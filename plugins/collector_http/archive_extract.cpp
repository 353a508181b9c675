// SPDX-License-Identifier: AGPL-3.0-or-later
#include "archive_extract.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <stdexcept>

namespace sluice::collector_http {
namespace {

struct ArchiveFree {
    void operator()(archive* a) const noexcept { archive_read_free(a); }
};
using Reader = std::unique_ptr<archive, ArchiveFree>;

enum class Attempt { archive, gzip_file };

Reader open_reader(Attempt attempt, ArchiveKinds kinds, std::string_view data) {
    Reader a(archive_read_new());
    if (!a) throw std::runtime_error("libarchive: out of memory");
    if (attempt == Attempt::archive) {
        archive_read_support_format_zip(a.get());
        if (kinds == ArchiveKinds::any) {
            archive_read_support_format_tar(a.get());
            // Built-in decompressors only (filter_all would also run external programs).
            archive_read_support_filter_gzip(a.get());
            archive_read_support_filter_bzip2(a.get());
            archive_read_support_filter_xz(a.get());
        }
    } else {
        archive_read_support_filter_gzip(a.get());
        archive_read_support_format_raw(a.get());
    }
    if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK) return nullptr;
    return a;
}

std::string read_entry(archive* a, const std::string& name) {
    std::string out;
    char buf[1 << 16];
    for (;;) {
        const la_ssize_t n = archive_read_data(a, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) throw std::runtime_error("cannot unpack '" + name + "': " + archive_error_string(a));
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

// nullopt when the reader does not recognise `data` at all.
std::optional<std::vector<ExtractedFile>> read_all(Attempt attempt, ArchiveKinds kinds, std::string_view data) {
    Reader a = open_reader(attempt, kinds, data);
    if (!a) return std::nullopt;
    std::vector<ExtractedFile> files;
    archive_entry* entry = nullptr;
    for (bool first = true;; first = false) {
        const int r = archive_read_next_header(a.get(), &entry);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) {
            if (first) return std::nullopt;  // not this kind of archive
            throw std::runtime_error(std::string("damaged archive after ") + std::to_string(files.size()) +
                                     " file(s): " + archive_error_string(a.get()));
        }
        if (first && attempt == Attempt::gzip_file && archive_filter_code(a.get(), 0) != ARCHIVE_FILTER_GZIP)
            return std::nullopt;  // the raw reader takes anything; only gzip counts here
        if (archive_entry_filetype(entry) != AE_IFREG) continue;
        const char* path = archive_entry_pathname(entry);
        std::string name = path ? path : "";
        ExtractedFile f;
        f.content = read_entry(a.get(), name);
        if (attempt == Attempt::archive) f.name = std::move(name);
        files.push_back(std::move(f));
    }
    return files;
}

}  // namespace

std::optional<std::vector<ExtractedFile>> extract_archive(std::string_view data, ArchiveKinds kinds) {
    if (auto files = read_all(Attempt::archive, kinds, data)) return files;
    if (kinds == ArchiveKinds::any) return read_all(Attempt::gzip_file, kinds, data);
    return std::nullopt;
}

}  // namespace sluice::collector_http
