// SPDX-License-Identifier: AGPL-3.0-or-later
//
// parser_shadowserver: IntelMQ's Shadowserver parser (intelmq/bots/parsers/shadowserver/parser.py),
// driven by Shadowserver's IntelMQ schema file. The report type comes from the `feedname`
// parameter or from the report's extra.file_name; its schema entry maps columns to fields. One
// event per CSV row; a row that cannot be mapped is handed to the host with fail_record, naming
// its line and column, and the other rows go on.
#include <sluice/bot.hpp>
#include <sluice/codec.hpp>
#include <sluice/parser_kit.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "csv_reader.hpp"
#include "schema.hpp"
#include "test_schema.hpp"

namespace {

using namespace sluice::shadowserver;
using Row = std::map<std::string, std::string, std::less<>>;

struct RowError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1f);
}

std::string_view strip(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

size_t line_breaks(std::string_view s) {
    size_t n = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\n') {
            ++n;
        } else if (s[i] == '\r') {
            ++n;
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        }
    }
    return n;
}

// Python's io.StringIO(newline='').newlines with IntelMQ's fallback to "\r\n".
std::string line_ending_of(std::string_view s) {
    bool lf = false, cr = false, crlf = false;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\n') {
            lf = true;
        } else if (s[i] == '\r') {
            if (i + 1 < s.size() && s[i + 1] == '\n') {
                crlf = true;
                ++i;
            } else {
                cr = true;
            }
        }
    }
    if (int(lf) + int(cr) + int(crlf) != 1) return "\r\n";
    return lf ? "\n" : cr ? "\r" : "\r\n";
}

// csv.DictWriter's header with the unix dialect: every field quoted.
std::string quoted_header(const std::vector<std::string>& names) {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += ',';
        out += '"';
        for (char c : names[i]) {
            if (c == '"') out += '"';
            out += c;
        }
        out += '"';
    }
    return out;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw sluice::FatalError("schema_file '" + path + "': cannot be read");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Checks values against the harmonization through a scratch event.
class HostValidator : public Validator {
 public:
    explicit HostValidator(sluice::Context& ctx) : ctx_(ctx) {}
    std::optional<std::string> check(std::string_view key, std::string_view value) override {
        sluice::Message m = ctx_.new_event();
        std::optional<std::string> out;
        if (m.try_set(key, value) == SLUICE_FIELD_OK) {
            if (auto v = m.get(key)) out = std::string(*v);
        }
        ctx_.discard(m);
        return out;
    }

 private:
    sluice::Context& ctx_;
};

class ShadowserverParser {
 public:
    ShadowserverParser(const sluice::Params& params, sluice::Context& ctx)
        : overwrite_(params.boolean("overwrite")), schema_(load(params, ctx)) {
        if (params.boolean("auto_update"))
            ctx.warning("auto_update is accepted but Sluice does not download the schema; update schema_file yourself");
        ctx.info("loaded " + std::to_string(schema_->size()) + " report types from the schema" +
                 (schema_->created().empty() ? "" : " created " + schema_->created()));
        if (const auto name = params.get("feedname"); name && !name->empty()) {
            fixed_ = schema_->by_feed_name(*name);
            if (fixed_) {
                fixed_name_ = std::string(*name);
                ctx.info("using fixed feed name '" + fixed_name_ + "' for parsing reports");
            } else {
                ctx.info("could not determine the feed by the feed name '" + std::string(*name) +
                         "' given by parameter; will determine the feed from the file names");
            }
        }
    }

    sluice::Status process(sluice::Message& report, sluice::Context& ctx) {
        const auto decoded = sluice::parser::report_text(report, ctx);
        if (!decoded) return sluice::Status::ok;
        const Report* conf = fixed_;
        std::string feed_name = fixed_name_;
        if (!conf) {
            const auto file_name = report.get("extra.file_name");
            if (!file_name || file_name->empty())
                throw sluice::RejectError(
                    "no feedname given as parameter and the report has no 'extra.file_name'; ensure that at least "
                    "one is given");
            auto type = report_type_of(*file_name);
            if (!type)
                throw sluice::RejectError("report's 'extra.file_name' '" + std::string(*file_name) + "' is not valid");
            conf = schema_->by_file_name(*type);
            if (!conf)
                throw sluice::RejectError("unknown report type '" + *type + "' (from extra.file_name '" +
                                          std::string(*file_name) + "'): the schema has no entry with this file_name");
            feed_name = conf->feed_name;
        }
        const std::string_view stripped = strip(*decoded);
        const size_t first_line =
            1 + line_breaks(std::string_view(*decoded).substr(0, stripped.data() - decoded->data()));
        std::string text;
        text.reserve(stripped.size());
        for (char c : stripped)
            if (c != '\0') text += c;
        const std::string line_ending = line_ending_of(text);

        sluice::csv::Reader reader(text, ',');
        sluice::csv::Record record;
        if (!reader.next(record)) return sluice::Status::ok;
        const std::vector<std::string> header = record.fields;
        const std::string raw_header = quoted_header(header) + line_ending;
        const std::set<std::string, std::less<>> columns(header.begin(), header.end());
        std::set<std::string> warned;
        HostValidator validator(ctx);
        sluice::parser::Records records(report, ctx);
        while (reader.next(record)) {
            if (record.fields.empty()) continue;
            const std::string_view current = std::string_view(text).substr(record.begin, record.end - record.begin);
            const std::string event_raw(strip(raw_header + std::string(current)));
            Row row;
            for (size_t i = 0; i < header.size() && i < record.fields.size(); ++i) row[header[i]] = record.fields[i];
            // The line number is counted only for a row that fails: counting it for every row would
            // read the report from its start each time.
            const auto where = [&] {
                return "line " +
                       std::to_string(first_line + line_breaks(std::string_view(text).substr(0, record.begin)));
            };
            records.add(event_raw, where, [&](sluice::Message& event) {
                try {
                    map_row(*conf, feed_name, header, columns, row, event_raw, event, ctx, validator, warned);
                } catch (const RowError& e) {
                    return std::string(e.what());
                }
                return std::string();
            });
        }
        return sluice::Status::ok;
    }

 private:
    static std::unique_ptr<Schema> load(const sluice::Params& params, sluice::Context& ctx) {
        const std::string file = params.string("schema_file");
        try {
            if (!file.empty()) return std::make_unique<Schema>(read_file(file), file);
            if (params.boolean("test_mode")) {
                ctx.info("test_mode: using IntelMQ's bundled test schema");
                return std::make_unique<Schema>(kTestSchema, "schema.json.test");
            }
        } catch (const sluice::FatalError&) {
            throw;
        } catch (const std::exception& e) {
            throw sluice::FatalError(std::string("schema: ") + e.what());
        }
        throw sluice::FatalError(
            "schema_file is required (Shadowserver's schema from "
            "https://interchange.shadowserver.org/intelmq/v1/schema; "
            "Sluice does not download it)");
    }

    // One column of the row through one mapping: the converted value, or nullopt for None.
    static std::optional<Value> value_of(const Mapping& m, size_t col, const Row& row, bool required,
                                         Validator& validator) {
        const auto it = row.find(m.column);
        if (it == row.end()) return std::nullopt;  // the row is shorter than the header: None
        if (m.function.empty() || (!required && !known_function(m.function))) return Value{it->second, false};
        try {
            return convert(m.function, it->second, m.with_row ? &row : nullptr, validator);
        } catch (const ConversionError& e) {
            throw RowError("column " + std::to_string(col) + " (" + m.column + "): could not convert '" + it->second +
                           "' via " + m.function + ": " + e.what());
        }
    }

    static size_t column_number(const std::vector<std::string>& header, std::string_view name) {
        for (size_t i = header.size(); i > 0; --i)
            if (header[i - 1] == name) return i;
        return 0;
    }

    static void remove_first(std::vector<std::string>& fields, std::string_view name) {
        for (auto it = fields.begin(); it != fields.end(); ++it) {
            if (*it == name) {
                fields.erase(it);
                return;
            }
        }
    }

    static void set_value(sluice::Message& event, const std::string& key, const Value& v, uint32_t flags = 0) {
        event.set(key, v.text, flags | (v.is_json ? uint32_t(sluice::json) : 0u));
    }

    void map_row(const Report& conf, const std::string& feed_name, const std::vector<std::string>& header,
                 const std::set<std::string, std::less<>>& columns, const Row& row, const std::string& event_raw,
                 sluice::Message& event, sluice::Context& ctx, Validator& validator,
                 std::set<std::string>& warned) const {
        std::vector<std::string> fields = header;
        const auto in_fields = [&](std::string_view c) {
            return std::find(fields.begin(), fields.end(), c) != fields.end();
        };
        // IntelMQ's add(overwrite=False): an existing feed.name is kept, silently.
        if (overwrite_ || !event.has("feed.name")) event.set("feed.name", feed_name, sluice::overwrite);
        if (!conf.url.empty() && !event.has("feed.documentation")) event.set("feed.documentation", conf.url);
        std::vector<std::pair<std::string, Value>> extra;
        const auto add_extra = [&](const std::string& k, Value v) {
            for (auto& e : extra) {
                if (e.first == k) {
                    e.second = std::move(v);
                    return;
                }
            }
            extra.emplace_back(k, std::move(v));
        };

        for (const Mapping& m : conf.required) {
            const size_t col = column_number(header, m.column);
            if (!in_fields(m.column)) {
                if (!columns.count(m.column))
                    throw RowError("required column '" + m.column + "' not found in feed '" + feed_name +
                                   "'; possible change in data format or misconfiguration");
                fields.push_back(m.column);
            }
            const auto v = value_of(m, col, row, true, validator);
            if (!v) continue;
            const std::string key = m.key.value_or("");
            if (!m.key) {
                remove_first(fields, m.column);
                continue;
            }
            const auto r = event.try_set(key, v->text, v->is_json ? sluice::json : sluice::none);
            if (r == SLUICE_FIELD_UNKNOWN_KEY) {
                ctx.warning("key not found in the harmonization: '" + key + "'");
            } else if (r != SLUICE_FIELD_OK && r != SLUICE_FIELD_IGNORED) {
                std::string why;
                try {
                    event.set(key, v->text, v->is_json ? sluice::json : sluice::none);
                } catch (const sluice::FieldError& e) {
                    why = e.what();
                }
                throw RowError("column " + std::to_string(col) + " (" + m.column + "): " + why);
            }
            remove_first(fields, m.column);
        }

        for (const Mapping& m : conf.optional) {
            const size_t col = column_number(header, m.column);
            if (!in_fields(m.column)) {
                if (!columns.count(m.column)) {
                    if (warned.insert(m.column).second)
                        ctx.warning("optional column '" + m.column + "' not found in feed '" + feed_name +
                                    "'; possible change in data format or misconfiguration");
                    continue;
                }
                fields.push_back(m.column);
            }
            const auto v = value_of(m, col, row, false, validator);
            if (!v) {
                remove_first(fields, m.column);
                continue;
            }
            if (!m.key) {
                remove_first(fields, m.column);
                continue;
            }
            const std::string& key = *m.key;
            if (key == "extra.") {
                add_extra(m.column, *v);
                remove_first(fields, m.column);
                continue;
            }
            if (key.rfind("extra.", 0) == 0) {
                add_extra(key.substr(6), *v);
                remove_first(fields, m.column);
                continue;
            }
            const auto r = event.try_set(key, v->text, v->is_json ? sluice::json : sluice::none);
            if (r == SLUICE_FIELD_OK || r == SLUICE_FIELD_IGNORED) {
                remove_first(fields, m.column);
            } else if (r == SLUICE_FIELD_UNKNOWN_KEY) {
                add_extra(key, *v);
                remove_first(fields, m.column);
            } else if (r == SLUICE_FIELD_EXISTS) {
                throw RowError("column " + std::to_string(col) + " (" + m.column + "): field '" + key +
                               "' already has a value");
            }  // an invalid value stays in `fields` and goes to extra as it is
        }

        for (const Constant& c : conf.constants) {
            event.set(c.key, c.value, sluice::overwrite | (c.is_json ? sluice::json : sluice::none));
        }
        event.set("raw", event_raw);

        for (const std::string& f : fields) {
            const auto it = row.find(f);
            if (it != row.end() && !it->second.empty()) add_extra(f, Value{it->second, false});
        }
        for (const auto& [k, v] : extra) {
            try {
                set_value(event, "extra." + k, v);
            } catch (const sluice::FieldError& e) {
                const size_t col = column_number(header, k);
                throw RowError((col ? "column " + std::to_string(col) + " (" + k + "): " : std::string()) + e.what());
            }
        }
    }

    bool overwrite_;
    std::unique_ptr<Schema> schema_;
    const Report* fixed_ = nullptr;
    std::string fixed_name_;
};

}  // namespace

SLUICE_EXPORT_BOT(
    ShadowserverParser, SLUICE_KIND_PARSER, "parser_shadowserver", "1.0.0",
    "IntelMQ's Shadowserver parser: one event per CSV row, mapped by Shadowserver's schema file",
    SLUICE_PARAM("schema_file", SLUICE_PARAM_STRING, 0, nullptr,
                 "Path of Shadowserver's IntelMQ schema JSON (https://interchange.shadowserver.org/intelmq/v1/schema); "
                 "required unless test_mode"),
    SLUICE_PARAM("feedname", SLUICE_PARAM_STRING, 0, nullptr,
                 "A fixed feed name of the schema (e.g. \"Accessible-Telnet\"); otherwise the report type comes from "
                 "the report's extra.file_name"),
    SLUICE_PARAM("overwrite", SLUICE_PARAM_BOOL, 0, "false",
                 "true: set feed.name to the schema's feed name even when the report has one"),
    SLUICE_PARAM("auto_update", SLUICE_PARAM_BOOL, 0, "false",
                 "Accepted for IntelMQ compatibility; Sluice never downloads the schema"),
    SLUICE_PARAM("test_mode", SLUICE_PARAM_BOOL, 0, "false",
                 "Without schema_file, use IntelMQ's bundled test schema (schema.json.test)"))
