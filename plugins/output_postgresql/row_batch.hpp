// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The events of one host batch as table rows, kept until flush commits them (and kept again if the
// commit fails, so nothing handed over is lost). Each event is mapped to columns when it arrives,
// so a field the table has no column for is refused right there, naming the field; values are
// written in COPY's text format only when the batch is sent.
//
// Mapping follows IntelMQ's SQL output: a column per field, named like it ("source.ip"); with
// jsondict_as_string (IntelMQ's default) all extra.* fields go together as one JSON object into the
// "extra" column, otherwise each extra.* field needs its own column. With `fields`, only those
// fields are written and the others are left out silently, as IntelMQ does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "table_columns.hpp"

namespace sluice::output_postgresql {

class ColumnMap {
 public:
    // Throws std::runtime_error naming a listed field that is not a writable column of the table.
    ColumnMap(TableInfo table, const std::vector<std::string>& fields, bool jsondict_as_string);

    std::optional<uint32_t> find(std::string_view field) const;
    const TableInfo& table() const { return table_; }
    const TableColumn& column(uint32_t i) const { return table_.columns[i]; }
    bool only_listed() const { return only_listed_; }
    bool jsondict_as_string() const { return jsondict_as_string_; }
    // Columns written in every row (NULL when the event lacks the field): those without a default.
    const std::vector<uint32_t>& always() const { return always_; }

 private:
    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    TableInfo table_;
    std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> index_;
    std::vector<uint32_t> always_;
    bool only_listed_ = false;
    bool jsondict_as_string_ = true;
};

class RowBatch {
 public:
    explicit RowBatch(const ColumnMap& map) : map_(map) {}

    // Adds one event given in IntelMQ's wire JSON; throws sluice::RejectError naming the field
    // that cannot be written (no column, or a NUL character PostgreSQL cannot store).
    void add(std::string_view event_json);

    size_t size() const { return rows_.size(); }
    bool empty() const { return rows_.empty(); }
    void clear();

    std::string_view event_json(size_t row) const;
    std::optional<std::string_view> value(size_t row, uint32_t column) const;
    // The columns with a default this row has a value for, ascending: rows that differ here are
    // sent in separate COPYs, so a column left out gets its default instead of NULL.
    std::vector<uint32_t> defaulted_columns(size_t row) const;
    // Appends the rows' COPY text (tab-separated, \N for no value) for `columns`, in that order.
    void append_copy_text(const std::vector<size_t>& rows, const std::vector<uint32_t>& columns,
                          std::string& out) const;

 private:
    struct Cell {
        uint32_t column;
        size_t offset, length;  // into text_: the value as text, not yet escaped
    };
    struct Row {
        size_t first_cell, cell_count;
        size_t json_offset, json_length;
    };
    void add_cell(uint32_t column, std::string_view text);

    const ColumnMap& map_;
    std::vector<Row> rows_;
    std::vector<Cell> cells_;
    std::string text_;
    std::string json_;
};

}  // namespace sluice::output_postgresql
