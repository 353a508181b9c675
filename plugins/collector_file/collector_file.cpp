// SPDX-License-Identifier: AGPL-3.0-or-later
//
// collector_file: IntelMQ's file collector (intelmq/bots/collectors/file/collector_file.py). Every
// collect reads the selected files and sends one Report per non-empty file: `raw` is the content,
// `feed.url` is file://localhost/<absolute path>, `extra.file_name` the file name, feed.* from the
// parameters.
//
// The no-loss promise: a file is deleted (delete_file) or moved (move_to) only in on_durable, once
// the host confirms its report is durable downstream, never in collect. A file that is neither is
// read again on every collect, as in IntelMQ.
#include <sluice/bot.hpp>

#include <cctype>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "file_disposal.hpp"
#include "file_reader.hpp"
#include "file_selection.hpp"

namespace fs = std::filesystem;

namespace {

using namespace sluice::collector_file;

// "file://localhost/abs/path"; characters a URL cannot carry as they are are percent-encoded.
std::string file_url(const fs::path& path, bool encode) {
    std::string url = "file://localhost";
    for (unsigned char c : path.string()) {
        const bool plain =
            std::isalnum(c) || std::string_view("/-._~!$&'()*+,;=:@").find(char(c)) != std::string_view::npos;
        if (!encode || plain) {
            url += char(c);
        } else {
            static constexpr char hex[] = "0123456789ABCDEF";
            url += '%';
            url += hex[c >> 4];
            url += hex[c & 15];
        }
    }
    return url;
}

FileSelection make_selection(const sluice::Params& p) {
    const std::string path = p.string("path");
    if (path.empty()) throw sluice::FatalError("parameter 'path' is empty: name the file or folder to read");
    try {
        return FileSelection(path, p.string("postfix", ".csv"), p.string("pattern", "*"));
    } catch (const std::exception& e) {
        throw sluice::FatalError("parameter 'path' = '" + path + "': " + e.what());
    }
}

FileDisposal make_disposal(const sluice::Params& p, const FileSelection& selection) {
    const bool delete_file = p.boolean("delete_file");
    const std::string move_to = p.string("move_to");
    if (delete_file && !move_to.empty()) {
        throw sluice::FatalError("parameters 'delete_file' and 'move_to' = '" + move_to +
                                 "' are both set: choose deleting or moving the files read");
    }
    if (delete_file) {
        if (selection.selects_everything()) {
            throw sluice::FatalError(
                "parameter 'delete_file' = true with no 'postfix' and 'pattern' \"*\" would delete "
                "every file in " +
                selection.path().string() + "; set a postfix or a pattern");
        }
        return FileDisposal(FileDisposal::Mode::remove, {});
    }
    if (move_to.empty()) return FileDisposal();
    std::error_code ec;
    const fs::path target = fs::absolute(move_to, ec).lexically_normal();
    fs::create_directories(target, ec);
    if (!fs::is_directory(target)) {
        throw sluice::FatalError("parameter 'move_to' = '" + move_to + "': not a folder and cannot be created" +
                                 (ec ? ": " + ec.message() : std::string()));
    }
    return FileDisposal(FileDisposal::Mode::move, target);
}

class FileCollector {
 public:
    FileCollector(const sluice::Params& p, sluice::Context& ctx)
        : selection_(make_selection(p)),
          disposal_(make_disposal(p, selection_)),
          name_(p.string("name")),
          provider_(p.string("provider")),
          code_(p.string("code")),
          documentation_(p.string("documentation")),
          accuracy_(p.string("accuracy", "100")) {
        if (selection_.selects_everything()) {
            ctx.warning("no postfix or pattern set: every file in " + selection_.path().string() + " is read");
        }
    }

    sluice::Status collect(sluice::Context& ctx) {
        pending_.clear();  // anything not confirmed durable is simply read again
        for (const fs::path& path : selection_.list()) {
            if (ctx.should_stop()) break;
            std::optional<ReadFile> file;
            try {
                file = read_locked(path);
            } catch (const std::exception& e) {
                ctx.error(std::string(e.what()) + "; skipped, it stays in place");
                continue;
            }
            if (!file) {
                ctx.info("file " + path.string() + " is locked by another process; skipped this time");
                continue;
            }
            if (file->content.empty()) {
                ctx.debug("file " + path.string() + " is empty; no report");
                continue;
            }
            ctx.info("processing file " + path.string());
            sluice::Message report = make_report(ctx, *file);
            ctx.emit(report);
            // Neither the report nor the file's text is needed any more; only the path and
            // identity wait for on_durable. Kept until collect() returns (an undiscarded report,
            // clear() keeping the capacity), a folder of a hundred files held both for each file
            // and every new report was written into freshly faulted pages.
            ctx.discard(report);
            std::string().swap(file->content);
            pending_.push_back(std::move(*file));
        }
        return sluice::Status::ok;
    }

    void on_durable(sluice::Context& ctx) {
        for (const ReadFile& file : pending_) {
            const std::string why = disposal_.dispose(file.path, file.identity);
            if (!why.empty()) {
                ctx.warning("file " + file.path.string() + " was not " +
                            (disposal_.mode() == FileDisposal::Mode::remove ? "deleted" : "moved") + ": " + why);
            }
        }
        pending_.clear();
    }

 private:
    sluice::Message make_report(sluice::Context& ctx, const ReadFile& file) const {
        sluice::Message report = ctx.new_report();
        if (!name_.empty()) report.set("feed.name", name_);
        if (!provider_.empty()) report.set("feed.provider", provider_);
        if (!code_.empty()) report.set("feed.code", code_);
        if (!documentation_.empty()) report.set("feed.documentation", documentation_);
        if (!accuracy_.empty()) report.set("feed.accuracy", accuracy_);
        if (report.try_set("feed.url", file_url(file.path, false)) == SLUICE_FIELD_INVALID) {
            report.set("feed.url", file_url(file.path, true));
        }
        report.try_set("extra.file_name", file.path.filename().string());  // as IntelMQ, where the harmonization has it
        report.set("raw", file.content);
        return report;
    }

    FileSelection selection_;
    FileDisposal disposal_;
    std::string name_, provider_, code_, documentation_, accuracy_;
    std::vector<ReadFile> pending_;
};

}  // namespace

SLUICE_EXPORT_BOT(
    FileCollector, SLUICE_KIND_COLLECTOR, "collector_file", "1.0.0",
    "IntelMQ's file collector: one report per file of a folder (or one file)",
    SLUICE_PARAM("path", SLUICE_PARAM_STRING, 1, nullptr, "The file to read, or the folder whose files are read"),
    SLUICE_PARAM("postfix", SLUICE_PARAM_STRING, 0, "\".csv\"",
                 "In a folder, read only files whose name ends with this (\"\" for any)"),
    SLUICE_PARAM("pattern", SLUICE_PARAM_STRING, 0, "\"*\"",
                 "In a folder, read only files whose name matches this glob (* ? [seq] [!seq])"),
    SLUICE_PARAM("delete_file", SLUICE_PARAM_BOOL, 0, "false",
                 "Delete each file once its report is durable downstream"),
    SLUICE_PARAM("move_to", SLUICE_PARAM_STRING, 0, nullptr,
                 "Move each file into this folder once its report is durable downstream (created if missing)"),
    SLUICE_PARAM("name", SLUICE_PARAM_STRING, 0, nullptr, "feed.name of the reports"),
    SLUICE_PARAM("provider", SLUICE_PARAM_STRING, 0, nullptr, "feed.provider of the reports"),
    SLUICE_PARAM("accuracy", SLUICE_PARAM_FLOAT, 0, "100", "feed.accuracy of the reports, 0 to 100"),
    SLUICE_PARAM("code", SLUICE_PARAM_STRING, 0, nullptr, "feed.code of the reports"),
    SLUICE_PARAM("documentation", SLUICE_PARAM_STRING, 0, nullptr, "feed.documentation of the reports"))
