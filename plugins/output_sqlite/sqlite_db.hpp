// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Thin RAII owners of an SQLite connection and a prepared statement, and the one error type that
// carries SQLite's result code, so callers can tell a value the database refuses (the event's
// fault) from a database that cannot work right now (the batch's fault).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::output_sqlite {

struct SqliteError : std::runtime_error {
    SqliteError(std::string what, int rc) : std::runtime_error(std::move(what)), code(rc) {}
    int code;  // SQLite's extended result code
    // A constraint, a type mismatch or a value too big: retrying the same row cannot help.
    bool refuses_value() const;
};

class Statement;

class Database {
 public:
    // Opens (creating if missing) the file; busy_timeout_ms is how long a write waits for a lock
    // another connection holds. Throws SqliteError naming the file.
    Database(const std::filesystem::path& file, int busy_timeout_ms);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(std::string_view sql);
    Statement prepare(std::string_view sql);
    // True while a transaction is open; SQLite may end one on its own after some errors.
    bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

    [[noreturn]] void fail(int rc, std::string_view doing) const;
    sqlite3* handle() const { return db_; }
    const std::filesystem::path& file() const { return file_; }

 private:
    std::filesystem::path file_;
    sqlite3* db_ = nullptr;
};

class Statement {
 public:
    Statement() = default;
    Statement(const Database& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(Statement&& o) noexcept : db_(o.db_), stmt_(std::exchange(o.stmt_, nullptr)) {}
    Statement& operator=(Statement&& o) noexcept {
        if (this != &o) {
            sqlite3_finalize(stmt_);
            db_ = o.db_;
            stmt_ = std::exchange(o.stmt_, nullptr);
        }
        return *this;
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    bool empty() const { return stmt_ == nullptr; }

    // Parameters are 1-based as in SQLite; texts must outlive the next step().
    void bind_null(int i) { check(sqlite3_bind_null(stmt_, i)); }
    void bind_int(int i, int64_t v) { check(sqlite3_bind_int64(stmt_, i, v)); }
    void bind_double(int i, double v) { check(sqlite3_bind_double(stmt_, i, v)); }
    void bind_text(int i, std::string_view v) {
        check(sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8));
    }
    // Returns true while a row is available; throws SqliteError and resets on failure.
    bool step();
    // Ready for the next execution, bindings cleared to NULL.
    void reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }
    std::string_view column_text(int i) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
        return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, i))) : std::string_view();
    }

 private:
    void check(int rc) const {
        if (rc != SQLITE_OK) db_->fail(rc, "binding a value");
    }
    const Database* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
};

// "name" with embedded quotes doubled: safe for any table or column name.
std::string quote_identifier(std::string_view name);

}  // namespace sluice::output_sqlite
