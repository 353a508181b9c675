// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sqlite_db.hpp"

namespace sluice::output_sqlite {

bool SqliteError::refuses_value() const {
    switch (code & 0xff) {
        case SQLITE_CONSTRAINT:
        case SQLITE_MISMATCH:
        case SQLITE_TOOBIG:
        case SQLITE_RANGE:
            return true;
        default:
            return false;
    }
}

Database::Database(const std::filesystem::path& file, int busy_timeout_ms) : file_(file) {
    const int rc = sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
        const std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw SqliteError(file.string() + ": cannot open: " + why, rc);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
}

Database::~Database() {
    // Statements are finalized by their owners first; an open transaction is rolled back here.
    sqlite3_close_v2(db_);
}

void Database::fail(int rc, std::string_view doing) const {
    throw SqliteError(file_.string() + ": " + std::string(doing) + ": " + sqlite3_errmsg(db_), rc);
}

void Database::exec(std::string_view sql) {
    const std::string text(sql);
    if (const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr); rc != SQLITE_OK) fail(rc, text);
}

Statement Database::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(rc, "preparing " + std::string(sql.substr(0, 200)));
    return Statement(*this, stmt);
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    // Read the message before reset, which keeps it but may change the code.
    const std::string why = sqlite3_errmsg(db_->handle());
    sqlite3_reset(stmt_);
    throw SqliteError(db_->file().string() + ": " + why, rc);
}

std::string quote_identifier(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

}  // namespace sluice::output_sqlite
