// SPDX-License-Identifier: AGPL-3.0-or-later
#include "events_table.hpp"

#include <algorithm>
#include <stdexcept>

namespace sluice::output_sqlite {
namespace {

struct HarmonizedColumn {
    const char* field;
    const char* type;  // the harmonization type, e.g. "IPAddress"
};

constexpr HarmonizedColumn kHarmonizedColumns[] = {
#include "harmonization_columns.inc"
};

// Columns of these fields get an index: the usual first filters of an analyst's query.
constexpr std::string_view kIndexed[] = {"time.source", "source.ip", "classification.type"};

const HarmonizedColumn* harmonized(std::string_view field) {
    for (const auto& c : kHarmonizedColumns)
        if (field == c.field) return &c;
    return nullptr;
}

// SQLite's type affinities: numbers stay numbers, everything else (addresses, times as ISO 8601
// text, JSON) is TEXT, which no affinity rewrites.
std::string_view sql_type(std::string_view harmonization_type) {
    if (harmonization_type == "Integer" || harmonization_type == "ASN") return "INTEGER";
    if (harmonization_type == "Float" || harmonization_type == "Accuracy") return "REAL";
    if (harmonization_type == "Boolean") return "BOOLEAN";
    return "TEXT";
}

}  // namespace

std::string_view column_of(std::string_view key) { return key.starts_with("extra.") ? "extra" : key; }

EventsTable::EventsTable(Database& db, TableOptions options) : db_(db), options_(std::move(options)) {
    if (options_.table.empty()) throw std::runtime_error("parameter 'table' is empty: name the table to write to");
    existing_ = table_columns();
    if (existing_.empty()) {
        if (!options_.create)
            throw std::runtime_error(db_.file().string() + ": there is no table " + quote_identifier(options_.table) +
                                     "; create it or set create_table = true");
        create_table();
        existing_ = table_columns();
    }
    if (!options_.fields.empty()) {
        for (const auto& field : options_.fields) {
            const std::string column(column_of(field));
            if (std::find(existing_.begin(), existing_.end(), column) != existing_.end()) {
                use_column(column);
            } else if (options_.create && harmonized(column)) {
                (void)parameter_for(field);  // adds the column
            } else {
                throw std::runtime_error("parameter 'fields': table " + quote_identifier(options_.table) + " in " +
                                         db_.file().string() + " has no column " + quote_identifier(column) +
                                         (harmonized(column) ? "; add it or set create_table = true"
                                                             : ", and it is not a harmonization field"));
            }
        }
    } else {
        // A new table's own columns, plus the harmonization's columns of a table made elsewhere;
        // columns outside the harmonization (an id, a default timestamp) keep their defaults.
        for (const auto& column : existing_)
            if (harmonized(column)) use_column(column);
    }
    prepare_insert();
}

std::vector<std::string> EventsTable::table_columns() const {
    auto st = db_.prepare("SELECT name FROM pragma_table_info(?1)");
    st.bind_text(1, options_.table);
    std::vector<std::string> out;
    while (st.step()) out.emplace_back(st.column_text(0));
    return out;
}

void EventsTable::create_table() {
    const std::string table = quote_identifier(options_.table);
    std::string sql = "CREATE TABLE " + table + " (\"id\" INTEGER PRIMARY KEY";
    for (const auto& c : kHarmonizedColumns) {
        sql += ", " + quote_identifier(c.field) + " ";
        sql += sql_type(c.type);
    }
    sql += ");\n";
    for (auto field : kIndexed)
        if (harmonized(field))
            sql += "CREATE INDEX " + quote_identifier(options_.table + "_" + std::string(field)) + " ON " + table +
                   " (" + quote_identifier(field) + ");\n";
    db_.exec("BEGIN IMMEDIATE;\n" + sql + "COMMIT;");
}

int EventsTable::use_column(std::string_view column) {
    auto it = parameter_.find(std::string(column));
    if (it != parameter_.end()) return it->second;
    columns_.emplace_back(column);
    const int parameter = static_cast<int>(columns_.size());
    parameter_.emplace(std::string(column), parameter);
    return parameter;
}

std::optional<int> EventsTable::parameter_for(std::string_view key) {
    const std::string_view column = column_of(key);
    if (auto it = parameter_.find(std::string(column)); it != parameter_.end()) return it->second;
    // `fields` decides alone what is written (IntelMQ ignores the other keys).
    if (!options_.fields.empty() && !insert_.empty()) return std::nullopt;
    if (std::find(existing_.begin(), existing_.end(), column) == existing_.end()) {
        if (!options_.create)
            throw SqliteError(db_.file().string() + ": table " + quote_identifier(options_.table) + " has no column " +
                                  quote_identifier(column) + " for field '" + std::string(key) +
                                  "'; add the column, list the wanted fields in 'fields', or set create_table = true",
                              SQLITE_CONSTRAINT);
        const auto* h = harmonized(column);
        // Runs inside the batch's transaction: a rollback takes the column back too (see reload).
        db_.exec("ALTER TABLE " + quote_identifier(options_.table) + " ADD COLUMN " + quote_identifier(column) + " " +
                 std::string(sql_type(h ? h->type : "String")));
        existing_.emplace_back(column);
    }
    const int parameter = use_column(column);
    if (!insert_.empty()) prepare_insert();
    return parameter;
}

void EventsTable::reload() {
    insert_ = Statement();
    existing_ = table_columns();
    std::vector<std::string> keep;
    for (const auto& c : columns_)
        if (std::find(existing_.begin(), existing_.end(), c) != existing_.end()) keep.push_back(c);
    columns_.clear();
    parameter_.clear();
    for (const auto& c : keep) use_column(c);
    prepare_insert();
}

void EventsTable::prepare_insert() {
    std::string names, values;
    for (size_t i = 0; i < columns_.size(); ++i) {
        names += (i ? ", " : "") + quote_identifier(columns_[i]);
        values += (i ? ", ?" : "?");
    }
    const std::string table = quote_identifier(options_.table);
    insert_ = db_.prepare(columns_.empty() ? "INSERT INTO " + table + " DEFAULT VALUES"
                                           : "INSERT INTO " + table + " (" + names + ") VALUES (" + values + ")");
}

}  // namespace sluice::output_sqlite
