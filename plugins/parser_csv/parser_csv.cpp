// SPDX-License-Identifier: AGPL-3.0-or-later
//
// parser_csv: IntelMQ's generic CSV parser (intelmq/bots/parsers/generic/parser_csv.py), same
// parameters, same output. One Event per CSV row of the report's `raw`; each event's `raw` is the
// row written back as comma-separated CSV with the report's line ending, preceded by the skipped
// header lines, as IntelMQ does. A row that cannot be turned into an event is handed to the host
// with fail_record (dumped with a reason naming its line, column and key) and the other rows go on.
#include <sluice/bot.hpp>
#include <sluice/codec.hpp>
#include <sluice/parser_kit.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "csv_reader.hpp"
#include "csv_writer.hpp"
#include "parser_config.hpp"
#include "report_text.hpp"
#include "row_mapper.hpp"

namespace {

using namespace sluice::csv;

std::string_view strip_line_ending(std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::string join(const std::vector<std::string>& fields, char delimiter) {
    std::string out;
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) out += delimiter;
        out += fields[i];
    }
    return out;
}

class CsvParser {
 public:
    CsvParser(const sluice::Params& params, sluice::Context&) : cfg_(load_config(params)) {}

    sluice::Status process(sluice::Message& report, sluice::Context& ctx) {
        const auto raw = report.get("raw");
        if (!raw) {
            (void)sluice::parser::report_text(report, ctx);  // says why nothing is parsed, as every parser does
            return sluice::Status::ok;
        }
        // The report is decoded and prepared a window at a time (a record is read once its window
        // holds all of it): the bot never holds the whole decoded report, which can be tens of
        // megabytes on top of the report itself.
        std::optional<ReportText> prepared;
        try {
            prepared.emplace(*raw);
        } catch (const sluice::base64::DecodeError& e) {
            throw sluice::RejectError(std::string("report field raw: ") + e.what());
        }
        ReportText& report_text = *prepared;
        const std::string& line_ending = report_text.line_ending();

        // Skipped header lines are kept: IntelMQ puts them in front of every event's raw.
        size_t pos = 0;
        std::string header;
        for (size_t i = 0; i < cfg_.skip_header; ++i) {
            size_t len = physical_line_length(report_text.text(), pos);
            while (len == 0 && !report_text.complete()) {
                report_text.advance(pos);
                pos = 0;
                len = physical_line_length(report_text.text(), pos);
            }
            if (len == 0) break;
            header.append(strip_line_ending(std::string_view(report_text.text()).substr(pos, len))).append(line_ending);
            pos += len;
        }

        Record record;
        sluice::parser::Records records(report, ctx);
        for (;;) {
            const std::string_view text = report_text.text();
            Reader reader(text, cfg_.delimiter, pos);
            pos = text.size();  // where the next window starts: after the last record read
            while (reader.next(record)) {
                if (record.end == text.size() && !report_text.complete()) {
                    pos = record.begin;  // it may go on past this window: read again in the next
                    break;
                }
                if (record.fields.empty() || !passes_filter(record.fields)) continue;
                // What a failed row is dumped as: the row as it was read, with the skipped header
                // lines, so that it parses the same again; named by its line in the report.
                const auto as_read = [&] { return header + std::string(row_text(report_text, record)); };
                const auto where = [&] { return "line " + std::to_string(report_text.line_of(record.begin)); };
                records.add(as_read, where, [&](sluice::Message& event) {
                    try {
                        map_row(cfg_, record.fields, event);
                    } catch (const RowError& e) {
                        return std::string(e.what());
                    }
                    raw_.assign(header);
                    append_row(raw_, record.fields, line_ending);
                    event.set("raw", raw_);
                    apply_default_type(event);
                    return std::string();
                });
            }
            if (report_text.complete() && pos == text.size()) break;
            report_text.advance(pos);
            pos = 0;
        }
        return sluice::Status::ok;
    }

 private:
    bool passes_filter(const std::vector<std::string>& row) const {
        if (cfg_.filter_text.empty() || cfg_.filter_type == FilterType::none) return true;
        const bool found = join(row, cfg_.delimiter).find(cfg_.filter_text) != std::string::npos;
        return cfg_.filter_type == FilterType::whitelist ? found : !found;
    }

    // `type` is IntelMQ's default for classification.type: a column's value wins.
    void apply_default_type(sluice::Message& event) const {
        if (!cfg_.type || event.has("classification.type")) return;
        if (event.try_set("classification.type", *cfg_.type) == SLUICE_FIELD_INVALID) {
            throw sluice::FatalError("parameter 'type' = '" + *cfg_.type + "': not a valid classification.type");
        }
    }

    // A record's text as it stands in the report, without its line ending.
    static std::string_view row_text(const ReportText& report_text, const Record& record) {
        return strip_line_ending(std::string_view(report_text.text()).substr(record.begin, record.end - record.begin));
    }

    ParserConfig cfg_;
    std::string raw_;  // each event's raw, built in one buffer kept from row to row
};

}  // namespace

SLUICE_EXPORT_BOT(
    CsvParser, SLUICE_KIND_PARSER, "parser_csv", "1.0.0",
    "IntelMQ's generic CSV parser: one event per CSV row of the report",
    SLUICE_PARAM("columns", SLUICE_PARAM_STRING_LIST, 1, nullptr,
                 "The key of each column, in order; \"__IGNORE__\" skips a column, \"a|b\" tries key a, then b"),
    SLUICE_PARAM("columns_required", SLUICE_PARAM_JSON, 0, nullptr,
                 "A list of booleans, one per column: a required column whose value no key accepts fails the line "
                 "(default: all true)"),
    SLUICE_PARAM("column_regex_search", SLUICE_PARAM_JSON, 0, nullptr,
                 "An object key -> regular expression: the key receives the first match in the column's value"),
    SLUICE_PARAM("compose_fields", SLUICE_PARAM_JSON, 0, "{}",
                 "An object key -> template filled from the row as Python's str.format, e.g. "
                 "{\"source.url\": \"http://{0}{1}\"}"),
    SLUICE_PARAM("data_type", SLUICE_PARAM_JSON, 0, nullptr,
                 "An object key -> \"json\": the column's value is stored as JSON (e.g. a list for extra.tags)"),
    SLUICE_PARAM("default_url_protocol", SLUICE_PARAM_STRING, 0, "\"http://\"",
                 "Prefix for values of keys ending in .url that have no \"://\""),
    SLUICE_PARAM("delimiter", SLUICE_PARAM_STRING, 0, "\",\"", "The field delimiter, one ASCII character"),
    SLUICE_PARAM("filter_text", SLUICE_PARAM_STRING, 0, nullptr,
                 "Text to look for in each line (its fields joined by the delimiter); needs filter_type"),
    SLUICE_PARAM("filter_type", SLUICE_PARAM_STRING, 0, nullptr,
                 "\"whitelist\": keep only lines containing filter_text; \"blacklist\": drop them"),
    SLUICE_PARAM("skip_header", SLUICE_PARAM_JSON, 0, "false",
                 "true to skip the first line, or the number of lines to skip; they are kept in front of each "
                 "event's raw"),
    SLUICE_PARAM("time_format", SLUICE_PARAM_STRING, 0, nullptr,
                 "How time.source/time.destination are read: null (ISO 8601 via the harmonization), timestamp, "
                 "windows_nt, epoch_millis, from_format|<strptime format>, from_format_midnight|<format>"),
    SLUICE_PARAM("type", SLUICE_PARAM_STRING, 0, nullptr,
                 "The classification.type of every event that has none from a column"),
    SLUICE_PARAM("type_translation", SLUICE_PARAM_JSON, 0, "{}",
                 "An object column value -> classification.type, for a classification.type column"))
