// SPDX-License-Identifier: AGPL-3.0-or-later
//
// output_file: IntelMQ's file output (intelmq/bots/outputs/file/output.py). One line per event,
// appended to `file`. Lines of a batch are buffered and written with one write in flush, followed
// by fdatasync: the host calls flush before it acknowledges the input, so no event is acknowledged
// before its line is on disk.
#include <sluice/bot.hpp>

#include <string>

#include "append_file.hpp"
#include "event_line.hpp"

namespace {

using namespace sluice::output_file;

// Beyond this, lines are written before flush (still made durable only by flush).
constexpr size_t kMaxBuffered = 4u << 20;

LineFormat line_format(const sluice::Params& p) {
    LineFormat f;
    f.hierarchical = p.boolean("hierarchical_output");
    f.keep_raw_field = p.boolean("keep_raw_field");
    f.with_type = p.boolean("message_with_type");
    f.single_key = p.string("single_key");
    return f;
}

AppendFile open_file(const sluice::Params& p) {
    const std::string file = p.string("file", "var/events.jsonl");
    if (file.empty()) throw sluice::FatalError("parameter 'file' is empty: name the file to write");
    try {
        return AppendFile(file);
    } catch (const std::exception& e) {
        throw sluice::FatalError("parameter 'file' = '" + file + "': " + e.what());
    }
}

class FileOutput {
 public:
    FileOutput(const sluice::Params& p, sluice::Context&) : format_(line_format(p)), file_(open_file(p)) {}

    sluice::Status process(sluice::Message& event, sluice::Context& ctx) {
        if (!append_event_line(format_, event, buffer_)) {
            ctx.count("events_without_single_key");
            ctx.debug("event has no field '" + format_.single_key + "': nothing written");
            return sluice::Status::ok;
        }
        if (buffer_.size() >= kMaxBuffered) write_buffer();
        return sluice::Status::ok;
    }

    sluice::Status flush(sluice::Context&) {
        write_buffer();
        file_.sync();
        return sluice::Status::ok;
    }

 private:
    // append is all-or-nothing, so on failure the lines stay buffered and the next flush writes
    // them: whether the host then retries the batch or only the flush, nothing is lost.
    void write_buffer() {
        file_.append(buffer_);
        buffer_.clear();
    }

    LineFormat format_;
    AppendFile file_;
    std::string buffer_;
};

}  // namespace

SLUICE_EXPORT_BOT(
    FileOutput, SLUICE_KIND_OUTPUT, "output_file", "1.0.0",
    "IntelMQ's file output: appends one JSON line per event to a file, durable before acknowledgement",
    SLUICE_PARAM("file", SLUICE_PARAM_STRING, 0, "\"var/events.jsonl\"",
                 "The file to append to; missing folders are created"),
    SLUICE_PARAM("hierarchical_output", SLUICE_PARAM_BOOL, 0, "false",
                 "Nest dotted keys: {\"source\": {\"ip\": ...}} instead of {\"source.ip\": ...}"),
    SLUICE_PARAM("single_key", SLUICE_PARAM_STRING, 0, nullptr,
                 "Write only this field's value per line (raw is base64-decoded); events without it are skipped"),
    SLUICE_PARAM("keep_raw_field", SLUICE_PARAM_BOOL, 0, "false", "Keep the raw field in the written events"),
    SLUICE_PARAM("message_with_type", SLUICE_PARAM_BOOL, 0, "false", "Keep the __type field in the written events"))
