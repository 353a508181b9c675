// SPDX-License-Identifier: AGPL-3.0-or-later
//
// What the bot knows of its table, read from the server's catalogue when it connects: the name in
// canonical quoted form and each column with its type and whether it has a default. Knowing the
// columns up front lets an event field without a column be refused with its name, before anything
// is sent, and lets a missing field fall back to the column's default.
#pragma once

#include <string>
#include <vector>

#include "pg_connection.hpp"

namespace sluice::output_postgresql {

struct TableColumn {
    std::string name;  // the column's name: an IntelMQ field name such as "source.ip"
    std::string type;  // as format_type writes it: "inet", "character varying(100)", ...
    bool has_default = false;
    bool generated = false;  // GENERATED ALWAYS AS (...): never written
};

struct TableInfo {
    std::string name;  // canonical and quoted where needed, usable in SQL as it is
    std::vector<TableColumn> columns;
};

// Reads `table` (SQL text as in the `table` parameter: events, public.events, "My Events").
// Throws PgError when the server cannot answer and std::runtime_error naming the table when it does
// not exist or cannot be written by COPY (a view).
TableInfo read_table(Connection& conn, const std::string& table);

// "name" with inner quotes doubled: a column name as an SQL identifier.
std::string quote_identifier(const std::string& name);

}  // namespace sluice::output_postgresql
