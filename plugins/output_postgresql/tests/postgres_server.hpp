// SPDX-License-Identifier: AGPL-3.0-or-later
//
// A private PostgreSQL 15 cluster for one test: initdb in a temporary folder, started with pg_ctl
// on a free loopback port and a Unix socket in that folder, stopped (and removed) when this object
// goes away, also when the test fails. PostgreSQL refuses to run as root, so when the test runs as
// root the cluster belongs to the `postgres` user and its programs run through runuser.
#pragma once

#include <libpq-fe.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace sluice::test {

class PostgresServer {
 public:
    struct Options {
        // Connections over TCP need the password (scram-sha-256); the Unix socket stays trusted.
        bool password_auth = false;
        // fsync off makes tests faster; the benchmark turns it on to measure real commits.
        bool fsync = false;
    };
    PostgresServer() : PostgresServer(Options{}) {}
    explicit PostgresServer(Options options);
    ~PostgresServer();
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    void start();
    void stop();

    int port() const { return port_; }
    static std::string superuser() { return "sluice"; }
    static std::string database() { return "events"; }
    // libpq conninfo over the Unix socket, as the superuser, to `database`.
    std::string conninfo(const std::string& db = database()) const;

    // Runs SQL (one or more statements) over the socket; throws with the server's message.
    void exec(const std::string& sql, const std::string& db = database()) const;
    // The rows of a query, each value as text (nullopt for NULL).
    using Rows = std::vector<std::vector<std::optional<std::string>>>;
    Rows query(const std::string& sql, const std::string& db = database()) const;

 private:
    std::string as_owner(const std::string& command) const;
    void run(const std::string& command) const;

    TempDir dir_;
    Options options_;
    int port_ = 0;
    bool running_ = false;
};

}  // namespace sluice::test
