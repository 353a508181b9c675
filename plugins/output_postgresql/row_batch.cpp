// SPDX-License-Identifier: AGPL-3.0-or-later
#include "row_batch.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sluice/bot.hpp>

#include <algorithm>
#include <stdexcept>

namespace sluice::output_postgresql {
namespace {

constexpr std::string_view kExtraPrefix = "extra.";

// COPY's text format: backslash, newline, carriage return and tab are escaped; \N is NULL.
void append_escaped(std::string_view v, std::string& out) {
    size_t start = 0;
    for (size_t i = v.find_first_of("\\\n\r\t"); i != std::string_view::npos; i = v.find_first_of("\\\n\r\t", i + 1)) {
        out.append(v, start, i - start);
        switch (v[i]) {
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                out += "\\t";
                break;
        }
        start = i + 1;
    }
    out.append(v, start);
}

std::string compact(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

[[noreturn]] void no_column(std::string_view field, const ColumnMap& map, std::string_view via = {}) {
    std::string what = "field '" + std::string(field) + "'";
    if (!via.empty()) what += " (written into '" + std::string(via) + "' by jsondict_as_string)";
    throw sluice::RejectError(what + " has no column in table " + map.table().name +
                              ": add the column (sluice-psql-schema prints them all) or list the fields to "
                              "write in 'fields'");
}

}  // namespace

ColumnMap::ColumnMap(TableInfo table, const std::vector<std::string>& fields, bool jsondict_as_string)
    : table_(std::move(table)), only_listed_(!fields.empty()), jsondict_as_string_(jsondict_as_string) {
    for (uint32_t i = 0; i < table_.columns.size(); ++i) {
        const TableColumn& c = table_.columns[i];
        if (c.generated) continue;
        if (only_listed_ && std::find(fields.begin(), fields.end(), c.name) == fields.end()) continue;
        index_.emplace(c.name, i);
        if (!c.has_default) always_.push_back(i);
    }
    for (const auto& f : fields) {
        if (!index_.count(f)) {
            throw std::runtime_error("parameter 'fields' names '" + f + "', which is not a writable column of table " +
                                     table_.name);
        }
    }
    if (index_.empty()) throw std::runtime_error("table " + table_.name + " has no column the bot could write");
}

std::optional<uint32_t> ColumnMap::find(std::string_view field) const {
    auto it = index_.find(field);
    if (it == index_.end()) return std::nullopt;
    return it->second;
}

void RowBatch::add_cell(uint32_t column, std::string_view text) {
    cells_.push_back(Cell{column, text_.size(), text.size()});
    text_.append(text);
}

void RowBatch::add(std::string_view event_json) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseFullPrecisionFlag>(event_json.data(), event_json.size());
    if (doc.HasParseError() || !doc.IsObject()) throw std::runtime_error("the host gave an event that is not JSON");

    const size_t cells_before = cells_.size(), text_before = text_.size();
    try {
        rapidjson::StringBuffer extra_buf;
        rapidjson::Writer<rapidjson::StringBuffer> extra(extra_buf);
        bool has_extra = false;
        for (const auto& m : doc.GetObject()) {
            const std::string_view key(m.name.GetString(), m.name.GetStringLength());
            if (key == "__type" || m.value.IsNull()) continue;
            if (m.value.IsString() &&
                std::string_view(m.value.GetString(), m.value.GetStringLength()).find('\0') != std::string_view::npos) {
                throw sluice::RejectError("field '" + std::string(key) +
                                          "' holds a NUL character, which PostgreSQL text cannot store");
            }
            if (map_.jsondict_as_string() && key.starts_with(kExtraPrefix)) {
                if (!map_.find("extra")) {
                    if (map_.only_listed()) continue;
                    no_column(key, map_, "extra");
                }
                if (!has_extra) extra.StartObject();
                has_extra = true;
                const std::string_view sub = key.substr(kExtraPrefix.size());
                extra.Key(sub.data(), static_cast<rapidjson::SizeType>(sub.size()));
                m.value.Accept(extra);
                continue;
            }
            const auto column = map_.find(key);
            if (!column) {
                if (map_.only_listed()) continue;
                no_column(key, map_);
            }
            if (m.value.IsString() && !key.starts_with(kExtraPrefix)) {
                add_cell(*column, std::string_view(m.value.GetString(), m.value.GetStringLength()));
            } else {
                // Numbers and booleans as JSON writes them; an extra.* field as JSON for its json column.
                add_cell(*column, compact(m.value));
            }
        }
        if (has_extra) {
            extra.EndObject();
            add_cell(*map_.find("extra"), std::string_view(extra_buf.GetString(), extra_buf.GetSize()));
        }
    } catch (...) {
        cells_.resize(cells_before);
        text_.resize(text_before);
        throw;
    }
    rows_.push_back(Row{cells_before, cells_.size() - cells_before, json_.size(), event_json.size()});
    json_.append(event_json);
}

void RowBatch::clear() {
    rows_.clear();
    cells_.clear();
    text_.clear();
    json_.clear();
}

std::string_view RowBatch::event_json(size_t row) const {
    const Row& r = rows_.at(row);
    return std::string_view(json_).substr(r.json_offset, r.json_length);
}

std::optional<std::string_view> RowBatch::value(size_t row, uint32_t column) const {
    const Row& r = rows_.at(row);
    for (size_t i = r.first_cell; i < r.first_cell + r.cell_count; ++i) {
        if (cells_[i].column == column) return std::string_view(text_).substr(cells_[i].offset, cells_[i].length);
    }
    return std::nullopt;
}

std::vector<uint32_t> RowBatch::defaulted_columns(size_t row) const {
    std::vector<uint32_t> out;
    const Row& r = rows_.at(row);
    for (size_t i = r.first_cell; i < r.first_cell + r.cell_count; ++i) {
        if (map_.column(cells_[i].column).has_default) out.push_back(cells_[i].column);
    }
    std::sort(out.begin(), out.end());
    return out;
}

void RowBatch::append_copy_text(const std::vector<size_t>& rows, const std::vector<uint32_t>& columns,
                                std::string& out) const {
    // Where each column sits in the COPY's column list; -1: not sent.
    std::vector<int> slot(map_.table().columns.size(), -1);
    for (size_t i = 0; i < columns.size(); ++i) slot[columns[i]] = static_cast<int>(i);
    std::vector<const Cell*> values(columns.size());
    for (size_t row : rows) {
        const Row& r = rows_.at(row);
        std::fill(values.begin(), values.end(), nullptr);
        for (size_t i = r.first_cell; i < r.first_cell + r.cell_count; ++i) {
            if (slot[cells_[i].column] >= 0) values[static_cast<size_t>(slot[cells_[i].column])] = &cells_[i];
        }
        for (size_t i = 0; i < values.size(); ++i) {
            if (i) out += '\t';
            if (values[i]) {
                append_escaped(std::string_view(text_).substr(values[i]->offset, values[i]->length), out);
            } else {
                out += "\\N";
            }
        }
        out += '\n';
    }
}

}  // namespace sluice::output_postgresql
