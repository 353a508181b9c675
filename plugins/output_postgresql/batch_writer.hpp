// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Writes a RowBatch in one transaction: one COPY per set of columns (almost always one), then
// COMMIT. If the server refuses a value, the transaction is rolled back and the batch is written
// again with each row under its own savepoint, so the refused rows are found and named while all
// the others are committed together. Any other failure is thrown as a PgError and nothing is
// committed.
#pragma once

#include <string>
#include <vector>

#include "pg_connection.hpp"
#include "row_batch.hpp"

namespace sluice::output_postgresql {

struct RefusedRow {
    size_t row;
    std::string reason;  // names the field, its value, the column type and the server's words
};

// Returns the rows the server refused; every other row is committed when this returns.
std::vector<RefusedRow> write_batch(Connection& conn, const ColumnMap& map, const RowBatch& batch);

}  // namespace sluice::output_postgresql
