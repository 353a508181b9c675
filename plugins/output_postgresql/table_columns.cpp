// SPDX-License-Identifier: AGPL-3.0-or-later
#include "table_columns.hpp"

#include <stdexcept>

namespace sluice::output_postgresql {

std::string quote_identifier(const std::string& name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

TableInfo read_table(Connection& conn, const std::string& table) {
    // to_regclass answers NULL instead of failing for a name that does not exist.
    Result rel =
        conn.exec("SELECT c.oid::regclass::text, c.relkind FROM pg_class c WHERE c.oid = to_regclass($1)", {table});
    if (PQntuples(rel.get()) == 0) {
        throw std::runtime_error("table '" + table +
                                 "' does not exist (create it with the statement sluice-psql-schema prints)");
    }
    TableInfo info;
    info.name = PQgetvalue(rel.get(), 0, 0);
    const std::string kind = PQgetvalue(rel.get(), 0, 1);
    // Tables, partitioned tables and foreign tables take COPY; views do not.
    if (kind != "r" && kind != "p" && kind != "f") {
        throw std::runtime_error("'" + table + "' is not a table (relkind " + kind +
                                 "); COPY cannot write into views: name the table itself");
    }
    Result cols = conn.exec(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.atthasdef OR a.attidentity <> '', "
        "a.attgenerated <> '' FROM pg_attribute a "
        "WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        {table});
    for (int i = 0; i < PQntuples(cols.get()); ++i) {
        info.columns.push_back(TableColumn{PQgetvalue(cols.get(), i, 0), PQgetvalue(cols.get(), i, 1),
                                           PQgetvalue(cols.get(), i, 2)[0] == 't',
                                           PQgetvalue(cols.get(), i, 3)[0] == 't'});
    }
    return info;
}

}  // namespace sluice::output_postgresql
