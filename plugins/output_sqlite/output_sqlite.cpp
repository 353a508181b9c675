// SPDX-License-Identifier: AGPL-3.0-or-later
//
// output_sqlite: IntelMQ's SQL output (intelmq/bots/outputs/sql/output.py) with engine = sqlite, as
// a bot of its own. One row per event in `table`; the rows of a batch go into one transaction,
// begun at the batch's first event and committed in flush. The host calls flush before it
// acknowledges the input, and the database runs in WAL mode with synchronous = FULL, so a committed
// batch survives a crash or power loss: no event is acknowledged before its row is durable.
#include <sluice/bot.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include "event_row.hpp"
#include "events_table.hpp"
#include "sqlite_db.hpp"

namespace {

using namespace sluice::output_sqlite;
namespace fs = std::filesystem;

std::unique_ptr<Database> open_database(const sluice::Params& p) {
    const std::string file = p.string("database");
    if (file.empty()) throw sluice::FatalError("parameter 'database' is empty: name the SQLite file to write");
    const double timeout = p.number("connect_timeout", 5);
    if (!(timeout >= 0)) throw sluice::FatalError("parameter 'connect_timeout' must be 0 or more seconds");
    try {
        if (const fs::path parent = fs::path(file).parent_path(); !parent.empty()) fs::create_directories(parent);
        auto db = std::make_unique<Database>(file, static_cast<int>(timeout * 1000));
        // WAL: readers (an analyst's sqlite3) never block the writer; FULL: a commit is on disk.
        db->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
        return db;
    } catch (const std::exception& e) {
        throw sluice::FatalError("parameter 'database' = '" + file + "': " + e.what());
    }
}

TableOptions table_options(const sluice::Params& p) {
    TableOptions o;
    o.table = p.string("table", "events");
    o.create = p.boolean("create_table", true);
    o.fields = p.list("fields");
    return o;
}

class SqliteOutput {
 public:
    SqliteOutput(const sluice::Params& p, sluice::Context&) : db_(open_database(p)), table_(make_table(p)) {}

    sluice::Status process(sluice::Message& event, sluice::Context& ctx) {
        // After the database gave up on this batch, its rows are gone: the rest of the batch needs
        // no writing, flush fails, and the whole batch is delivered again.
        if (!batch_failure_.empty()) return sluice::Status::ok;
        try {
            if (!in_batch_) {
                // IMMEDIATE takes the write lock now, not at the first INSERT halfway through.
                db_->exec("BEGIN IMMEDIATE");
                in_batch_ = true;
            }
            row_.bind(event.json(), table_);
            table_.insert().step();
            table_.insert().reset();
            return sluice::Status::ok;
        } catch (const SqliteError& e) {
            if (in_batch_ && !db_->in_transaction()) {
                batch_failure_ = std::string("the database rolled back the batch: ") + e.what();
                ctx.error(batch_failure_);
                return sluice::Status::ok;
            }
            // The statement alone was undone; the batch's other rows stay.
            if (e.refuses_value()) throw sluice::RejectError(refusal(e));
            throw;  // busy, disk full, I/O: retried by the host
        }
    }

    sluice::Status flush(sluice::Context&) {
        if (!in_batch_) return sluice::Status::ok;
        in_batch_ = false;
        std::string failure = std::exchange(batch_failure_, {});
        if (failure.empty() && !db_->in_transaction()) failure = "the database ended the batch's transaction";
        if (failure.empty()) {
            try {
                db_->exec("COMMIT");
                return sluice::Status::ok;
            } catch (const SqliteError& e) {
                failure = std::string("commit failed: ") + e.what();
            }
        }
        if (db_->in_transaction()) db_->exec("ROLLBACK");
        table_.reload();  // a rollback takes back columns added during the batch
        throw std::runtime_error(failure + "; nothing of this batch was written, it will be delivered again");
    }

 private:
    EventsTable make_table(const sluice::Params& p) {
        try {
            return EventsTable(*db_, table_options(p));
        } catch (const std::exception& e) {
            throw sluice::FatalError(e.what());
        }
    }

    std::string refusal(const SqliteError& e) const {
        return "table " + quote_identifier(table_.name()) + " refused the event: " + e.what();
    }

    std::unique_ptr<Database> db_;
    EventsTable table_;
    EventRow row_;
    bool in_batch_ = false;
    std::string batch_failure_;
};

}  // namespace

SLUICE_EXPORT_BOT(
    SqliteOutput, SLUICE_KIND_OUTPUT, "output_sqlite", "1.0.0",
    "IntelMQ's SQL output for SQLite: one row per event, one transaction per batch, committed before acknowledgement",
    SLUICE_PARAM("database", SLUICE_PARAM_STRING, 0, "\"var/events.sqlite\"",
                 "The SQLite file to write; missing folders and the file are created"),
    SLUICE_PARAM("table", SLUICE_PARAM_STRING, 0, "\"events\"", "The table to insert into"),
    SLUICE_PARAM("fields", SLUICE_PARAM_STRING_LIST, 0, nullptr,
                 "Write only these fields (\"extra\" stands for all extra.* keys); default: every field"),
    SLUICE_PARAM("create_table", SLUICE_PARAM_BOOL, 0, "true",
                 "Create the table, and a column for a field that has none, when missing"),
    SLUICE_PARAM("connect_timeout", SLUICE_PARAM_FLOAT, 0, "5",
                 "Seconds to wait for a lock another connection holds on the database"))
