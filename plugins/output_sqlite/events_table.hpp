// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The events table: one column per harmonization field, named like the field ("source.ip"), and
// one "extra" column holding every extra.* key as a JSON object (IntelMQ's jsondict_as_string).
// Knows which column each field goes to, creates the table when asked, adds a column for a field
// that has none yet, and owns the one INSERT statement, prepared once and reused for every row.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sqlite_db.hpp"

namespace sluice::output_sqlite {

// The column an event key goes to: "extra" for every extra.* key, the key itself otherwise.
std::string_view column_of(std::string_view key);

struct TableOptions {
    std::string table = "events";
    bool create = true;               // create the table, and columns for new fields, when missing
    std::vector<std::string> fields;  // IntelMQ's `fields`: only these are written; empty: all
};

class EventsTable {
 public:
    // Creates the table if allowed and missing; throws std::runtime_error naming the table, the
    // file and the fix when it cannot be used (missing table, a listed field without column).
    EventsTable(Database& db, TableOptions options);

    // The INSERT parameter (1-based) for `key`, or nullopt when the row leaves the key out
    // (`fields` does not list it). Adds the column first when needed and allowed; throws
    // SqliteError (a value the database refuses) when the table has no such column.
    std::optional<int> parameter_for(std::string_view key);
    Statement& insert() { return insert_; }

    // Re-reads the table after a rollback may have undone columns added in the batch.
    void reload();
    const std::string& name() const { return options_.table; }

 private:
    std::vector<std::string> table_columns() const;
    void create_table();
    int use_column(std::string_view column);
    void prepare_insert();

    Database& db_;
    TableOptions options_;
    std::vector<std::string> existing_;               // columns the table has
    std::vector<std::string> columns_;                // columns of the INSERT, in order
    std::unordered_map<std::string, int> parameter_;  // column -> INSERT parameter
    Statement insert_;
};

}  // namespace sluice::output_sqlite
