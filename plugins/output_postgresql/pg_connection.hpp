// SPDX-License-Identifier: AGPL-3.0-or-later
//
// One libpq connection, owned (RAII), used synchronously. Every failure becomes a PgError that says
// what kind of failure it was, because the caller's answer depends on it: a lost connection is
// retried after reconnecting, a value the server refuses is the event's fault, anything else is
// reported as it is.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::output_postgresql {

struct ResultDeleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

class PgError : public std::runtime_error {
 public:
    enum class Kind {
        connection,  // the connection is gone or unusable: reconnect and try again
        transient,   // serialization failure, deadlock: try again on the same connection
        data,        // the server refused a value (SQLSTATE class 22, 23): one event's fault
        other,       // anything else (missing table, permissions): trying again will not help
    };
    PgError(Kind kind_, std::string message, std::string sqlstate_ = {}, std::string context_ = {},
            std::string column_ = {})
        : std::runtime_error(std::move(message)),
          kind(kind_),
          sqlstate(std::move(sqlstate_)),
          context(std::move(context_)),
          column(std::move(column_)) {}

    Kind kind;
    std::string sqlstate;
    std::string context;  // the server's CONTEXT line ("COPY events, line 3, column source.ip: ...")
    std::string column;   // the column the server named, when it did
};

// libpq's connection keywords and their values (host, port, dbname, user, password, sslmode, ...).
using ConnectSettings = std::vector<std::pair<std::string, std::string>>;

class Connection {
 public:
    // Connects; throws PgError(connection) with libpq's reason (which never contains the password).
    explicit Connection(const ConnectSettings& settings);

    // Runs one statement; throws PgError unless it succeeded.
    Result exec(const std::string& sql);
    // Runs one statement with text parameters $1, $2, ...; throws PgError unless it succeeded.
    Result exec(const std::string& sql, const std::vector<std::string>& params);
    // Runs `copy_sql` (a COPY ... FROM STDIN) and sends `data` as its input; throws PgError.
    void copy_in(const std::string& copy_sql, std::string_view data);
    // ROLLBACK, ignoring failures: used on the way out of a failed transaction.
    void rollback_quietly() noexcept;

    bool usable() const { return PQstatus(conn_.get()) == CONNECTION_OK; }

 private:
    PgError error_from(const PGresult* r) const;
    PgError connection_error(std::string_view what) const;

    struct ConnDeleter {
        void operator()(PGconn* c) const noexcept { PQfinish(c); }
    };
    std::unique_ptr<PGconn, ConnDeleter> conn_;
};

}  // namespace sluice::output_postgresql
