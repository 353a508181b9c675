// SPDX-License-Identifier: AGPL-3.0-or-later
//
// output_postgresql: IntelMQ's SQL output (intelmq/bots/outputs/sql/output.py, engine postgresql)
// with IntelMQ's parameter names, batched. process() only maps the event to a row (refusing a field
// the table has no column for); flush() sends the host's whole batch with COPY in one transaction
// and commits it: the host calls flush before it acknowledges the batch, so no event is
// acknowledged before it is committed. A lost connection is re-established with growing pauses;
// if that does not succeed, flush fails, the host acknowledges nothing and the batch comes again.
// A value the server refuses fails that one event (dumped, naming the field) and the rest commits.
#include <sluice/bot.hpp>

#include <chrono>
#include <memory>
#include <thread>

#include "batch_writer.hpp"
#include "connection_settings.hpp"
#include "pg_connection.hpp"
#include "row_batch.hpp"
#include "table_columns.hpp"

namespace {

using namespace sluice::output_postgresql;

// The longest pause between two reconnection attempts.
constexpr double kMaxReconnectPause = 30.0;

class PostgresOutput {
 public:
    PostgresOutput(const sluice::Params& p, sluice::Context& ctx)
        : target_(connection_target(p)),
          reconnect_delay_(p.number("reconnect_delay", 1.0)),
          reconnect_attempts_(p.integer("reconnect_attempts", 5)) {
        if (reconnect_delay_ < 0) throw sluice::FatalError("parameter 'reconnect_delay' must not be negative");
        if (reconnect_attempts_ < 0) throw sluice::FatalError("parameter 'reconnect_attempts' must not be negative");
        const std::string table = p.string("table", "events");
        if (table.empty()) throw sluice::FatalError("parameter 'table' is empty: name the table to write to");
        // A wrong address, password or table is refused now, not at the first batch.
        try {
            conn_ = std::make_unique<Connection>(target_.settings);
            map_ = std::make_unique<ColumnMap>(read_table(*conn_, table), p.list("fields"),
                                               p.boolean("jsondict_as_string", true));
        } catch (const std::exception& e) {
            throw sluice::FatalError(target_.description + ", table '" + table + "': " + e.what());
        }
        batch_ = std::make_unique<RowBatch>(*map_);
        ctx.info("writing to table " + map_->table().name + " at " + target_.description);
    }

    sluice::Status process(sluice::Message& event, sluice::Context&) {
        batch_->add(event.json());
        return sluice::Status::ok;
    }

    sluice::Status flush(sluice::Context& ctx) {
        if (batch_->empty()) return sluice::Status::ok;
        double pause = reconnect_delay_;
        for (int64_t attempt = 0;; ++attempt) {
            try {
                if (!conn_ || !conn_->usable()) {
                    conn_.reset();
                    conn_ = std::make_unique<Connection>(target_.settings);
                    ctx.info("connected again to " + target_.description);
                }
                const auto refused = write_batch(*conn_, *map_, *batch_);
                for (const auto& r : refused) ctx.fail_record(batch_->event_json(r.row), r.reason);
                ctx.count("events_inserted", static_cast<int64_t>(batch_->size() - refused.size()));
                if (!refused.empty()) ctx.count("events_refused", static_cast<int64_t>(refused.size()));
                batch_->clear();
                return sluice::Status::ok;
            } catch (const PgError& e) {
                const bool retryable = e.kind == PgError::Kind::connection || e.kind == PgError::Kind::transient;
                // The batch stays: whether the host retries the flush or delivers the batch again,
                // nothing is lost. Throwing (not FatalError) makes flush report a retryable failure.
                if (!retryable) throw std::runtime_error(target_.description + ": " + e.what());
                if (attempt >= reconnect_attempts_) {
                    throw std::runtime_error(target_.description + ": giving up after " + std::to_string(attempt + 1) +
                                             " attempt(s): " + e.what());
                }
                ctx.warning(target_.description + ": " + e.what() + "; trying again in " + std::to_string(pause) +
                            " s");
                if (e.kind == PgError::Kind::connection) conn_.reset();
                wait(pause, ctx);
                pause = std::min(pause * 2, kMaxReconnectPause);
            }
        }
    }

 private:
    // Sleeps, but not past a stop request: the batch is then left unacknowledged for next time.
    static void wait(double seconds, sluice::Context& ctx) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        while (std::chrono::steady_clock::now() < until) {
            if (ctx.should_stop()) throw std::runtime_error("stopping; the batch will be delivered again");
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    ConnectionTarget target_;
    double reconnect_delay_;
    int64_t reconnect_attempts_;
    std::unique_ptr<Connection> conn_;
    std::unique_ptr<ColumnMap> map_;   // held by pointer: batch_ refers to it
    std::unique_ptr<RowBatch> batch_;  // the host's current batch, until committed
};

}  // namespace

SLUICE_EXPORT_BOT(
    PostgresOutput, SLUICE_KIND_OUTPUT, "output_postgresql", "1.0.0",
    "IntelMQ's SQL output for PostgreSQL: a row per event, batched with COPY and committed before acknowledgement",
    SLUICE_PARAM("host", SLUICE_PARAM_STRING, 0, "\"localhost\"",
                 "Server host name or address, or a folder holding its Unix socket"),
    SLUICE_PARAM("port", SLUICE_PARAM_INT, 0, "5432", "Server port"),
    SLUICE_PARAM("database", SLUICE_PARAM_STRING, 0, "\"intelmq-events\"", "Database name"),
    SLUICE_PARAM("user", SLUICE_PARAM_STRING, 0, "\"intelmq\"", "Database user"),
    SLUICE_PARAM("password", SLUICE_PARAM_STRING, 0, nullptr,
                 "Password; prefer password_file or password_env, which keep it out of the configuration"),
    SLUICE_PARAM("password_file", SLUICE_PARAM_STRING, 0, nullptr,
                 "File holding the password (one line); read when the bot starts"),
    SLUICE_PARAM("password_env", SLUICE_PARAM_STRING, 0, nullptr,
                 "Name of an environment variable holding the password"),
    SLUICE_PARAM("sslmode", SLUICE_PARAM_STRING, 0, "\"require\"",
                 "libpq's sslmode: disable, allow, prefer, require, verify-ca or verify-full"),
    SLUICE_PARAM("connect_timeout", SLUICE_PARAM_INT, 0, "5", "Seconds to wait for a connection"),
    SLUICE_PARAM("table", SLUICE_PARAM_STRING, 0, "\"events\"",
                 "Table to insert into (SQL name, may be schema-qualified); columns are named like the fields"),
    SLUICE_PARAM("fields", SLUICE_PARAM_STRING_LIST, 0, nullptr,
                 "Write only these fields (each a column of the table); others are left out"),
    SLUICE_PARAM("jsondict_as_string", SLUICE_PARAM_BOOL, 0, "true",
                 "Write all extra.* fields as one JSON object into the column extra (else a column per field)"),
    SLUICE_PARAM("reconnect_delay", SLUICE_PARAM_FLOAT, 0, "1.0",
                 "Seconds before the first reconnection attempt; doubled after each failure, up to 30"),
    SLUICE_PARAM("reconnect_attempts", SLUICE_PARAM_INT, 0, "5",
                 "Reconnection attempts in one flush before it fails and the batch is delivered again"),
    SLUICE_PARAM("engine", SLUICE_PARAM_STRING, 0, "\"postgresql\"",
                 "IntelMQ's engine parameter; only postgresql is accepted"))
