// SPDX-License-Identifier: AGPL-3.0-or-later
#include "pg_connection.hpp"

#include <algorithm>

namespace sluice::output_postgresql {
namespace {

// libpq's messages end in a newline and may span lines; one line reads better in a log.
std::string one_line(std::string_view text) {
    std::string out(text);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    std::replace(out.begin(), out.end(), '\n', ' ');
    return out;
}

std::string field(const PGresult* r, int code) {
    const char* v = PQresultErrorField(r, code);
    return v ? v : "";
}

PgError::Kind kind_of(std::string_view sqlstate) {
    // 08: connection exception; 57P01-03: the server is shutting down or starting up.
    if (sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03")
        return PgError::Kind::connection;
    if (sqlstate.starts_with("40")) return PgError::Kind::transient;  // serialization failure, deadlock
    // 22: data exception (bad input syntax, out of range, too long); 23: constraint violation;
    // 54000: a value too large for an index or row.
    if (sqlstate.starts_with("22") || sqlstate.starts_with("23") || sqlstate == "54000") return PgError::Kind::data;
    return PgError::Kind::other;
}

}  // namespace

Connection::Connection(const ConnectSettings& settings) {
    std::vector<const char*> keys, values;
    for (const auto& [k, v] : settings) {
        keys.push_back(k.c_str());
        values.push_back(v.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    conn_.reset(PQconnectdbParams(keys.data(), values.data(), 0));
    if (!conn_) throw PgError(PgError::Kind::connection, "cannot connect: out of memory");
    if (PQstatus(conn_.get()) != CONNECTION_OK) throw connection_error("cannot connect");
}

PgError Connection::connection_error(std::string_view what) const {
    return PgError(PgError::Kind::connection, std::string(what) + ": " + one_line(PQerrorMessage(conn_.get())));
}

PgError Connection::error_from(const PGresult* r) const {
    // No result at all, or a dead connection, is a connection failure whatever the message says.
    if (!r || PQstatus(conn_.get()) != CONNECTION_OK) return connection_error("connection lost");
    const std::string sqlstate = field(r, PG_DIAG_SQLSTATE);
    std::string message = one_line(field(r, PG_DIAG_MESSAGE_PRIMARY));
    if (message.empty()) message = one_line(PQresultErrorMessage(r));
    if (!sqlstate.empty()) message += " (SQLSTATE " + sqlstate + ")";
    return PgError(sqlstate.empty() ? PgError::Kind::connection : kind_of(sqlstate), message, sqlstate,
                   one_line(field(r, PG_DIAG_CONTEXT)), field(r, PG_DIAG_COLUMN_NAME));
}

Result Connection::exec(const std::string& sql) {
    Result r(PQexec(conn_.get(), sql.c_str()));
    const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw error_from(r.get());
    return r;
}

Result Connection::exec(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    Result r(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                          nullptr, 0));
    const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw error_from(r.get());
    return r;
}

void Connection::copy_in(const std::string& copy_sql, std::string_view data) {
    {
        Result r(PQexec(conn_.get(), copy_sql.c_str()));
        if (!r || PQresultStatus(r.get()) != PGRES_COPY_IN) throw error_from(r.get());
    }
    // libpq takes an int length: send big batches in pieces.
    constexpr size_t kChunk = 1u << 20;
    for (size_t done = 0; done < data.size(); done += kChunk) {
        const size_t n = std::min(kChunk, data.size() - done);
        if (PQputCopyData(conn_.get(), data.data() + done, static_cast<int>(n)) != 1)
            throw connection_error("cannot send COPY data");
    }
    if (PQputCopyEnd(conn_.get(), nullptr) != 1) throw connection_error("cannot end COPY");
    Result r(PQgetResult(conn_.get()));
    // Drain what follows, so the connection is ready for the next statement whatever happened.
    while (PGresult* more = PQgetResult(conn_.get())) PQclear(more);
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) throw error_from(r.get());
}

void Connection::rollback_quietly() noexcept {
    if (!usable()) return;
    PQclear(PQexec(conn_.get(), "ROLLBACK"));
}

}  // namespace sluice::output_postgresql
