// SPDX-License-Identifier: AGPL-3.0-or-later
#include "batch_writer.hpp"

#include <map>
#include <optional>

namespace sluice::output_postgresql {
namespace {

std::string copy_statement(const ColumnMap& map, const std::vector<uint32_t>& columns) {
    std::string sql = "COPY " + map.table().name + " (";
    for (size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + quote_identifier(map.column(columns[i]).name);
    return sql + ") FROM STDIN";
}

// Rows grouped by the columns they are written with: the columns without a default plus the
// defaulted columns the row has a value for.
std::map<std::vector<uint32_t>, std::vector<size_t>> group_rows(const ColumnMap& map, const RowBatch& batch,
                                                                const std::vector<size_t>& rows) {
    std::map<std::vector<uint32_t>, std::vector<size_t>> groups;
    for (size_t row : rows) {
        std::vector<uint32_t> columns = map.always();
        for (uint32_t c : batch.defaulted_columns(row)) columns.push_back(c);
        groups[std::move(columns)].push_back(row);
    }
    return groups;
}

void copy_rows(Connection& conn, const ColumnMap& map, const RowBatch& batch, const std::vector<size_t>& rows) {
    std::string data;
    for (const auto& [columns, group] : group_rows(map, batch, rows)) {
        data.clear();
        batch.append_copy_text(group, columns, data);
        conn.copy_in(copy_statement(map, columns), data);
    }
}

// The column the server blamed: named in the error, or in its context line, which for COPY reads
// `COPY events, line 1, column source.asn: "4294967295"`.
std::string blamed_column(const PgError& e) {
    if (!e.column.empty()) return e.column;
    const std::string marker = ", column ";
    const size_t at = e.context.find(marker);
    if (at == std::string::npos) return {};
    const size_t start = at + marker.size();
    return e.context.substr(start, e.context.find(": ", start) - start);
}

std::string refusal(const PgError& e, const ColumnMap& map, const RowBatch& batch, size_t row) {
    const std::string column = blamed_column(e);
    std::string what = "PostgreSQL refused the event";
    if (auto index = column.empty() ? std::nullopt : map.find(column)) {
        what = "PostgreSQL refused field '" + column + "' (column type " + map.column(*index).type + ")";
        if (auto value = batch.value(row, *index)) {
            what += " = '" + std::string(value->substr(0, 200)) + (value->size() > 200 ? "...'" : "'");
        } else {
            what += ", which the event does not have,";
        }
    }
    return what + " in table " + map.table().name + ": " + e.what();
}

}  // namespace

std::vector<RefusedRow> write_batch(Connection& conn, const ColumnMap& map, const RowBatch& batch) {
    std::vector<size_t> all(batch.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    try {
        conn.exec("BEGIN");
        copy_rows(conn, map, batch, all);
        conn.exec("COMMIT");
        return {};
    } catch (const PgError& e) {
        conn.rollback_quietly();
        if (e.kind != PgError::Kind::data) throw;
    }

    // Some value was refused: find which, one row per savepoint, and commit the others.
    std::vector<RefusedRow> refused;
    try {
        conn.exec("BEGIN");
        // Deferred constraints would refuse only at COMMIT, after every row passed on its own: checked
        // per row here, so the row that breaks one is found and dumped instead of failing the batch
        // for ever.
        conn.exec("SET CONSTRAINTS ALL IMMEDIATE");
        for (size_t row : all) {
            conn.exec("SAVEPOINT sluice_row");
            try {
                copy_rows(conn, map, batch, {row});
                conn.exec("RELEASE SAVEPOINT sluice_row");
            } catch (const PgError& e) {
                if (e.kind != PgError::Kind::data) throw;
                conn.exec("ROLLBACK TO SAVEPOINT sluice_row");
                refused.push_back(RefusedRow{row, refusal(e, map, batch, row)});
            }
        }
        conn.exec("COMMIT");
    } catch (const PgError&) {
        conn.rollback_quietly();
        throw;
    }
    if (refused.empty()) {
        // Refused as a whole (a deferred constraint at COMMIT, say) but by no row on its own.
        throw PgError(PgError::Kind::other, "PostgreSQL refused the batch in table " + map.table().name +
                                                " but accepted each row alone; the batch will be delivered again");
    }
    return refused;
}

}  // namespace sluice::output_postgresql
