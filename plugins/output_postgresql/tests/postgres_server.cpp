// SPDX-License-Identifier: AGPL-3.0-or-later
#include "postgres_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>

namespace sluice::test {
namespace {

const std::string kBin = "/usr/lib/postgresql/15/bin/";

// A port nobody listens on right now (the kernel's pick for an ephemeral bind).
int free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

struct ConnDeleter {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct ResultDeleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};

}  // namespace

PostgresServer::PostgresServer(Options options) : dir_("sluice-pg"), options_(options) {
    if (::geteuid() == 0) {
        const passwd* pw = ::getpwnam("postgres");
        if (!pw) throw std::runtime_error("running as root, but there is no 'postgres' user to run PostgreSQL as");
        if (::chown(dir_.path().c_str(), pw->pw_uid, pw->pw_gid) != 0)
            throw std::runtime_error("cannot hand " + dir_.path().string() + " to the postgres user");
    }
    const std::string auth = options_.password_auth ? "--auth-local=trust --auth-host=scram-sha-256" : "--auth=trust";
    run(kBin + "initdb --no-sync -E UTF8 --locale=C -U " + superuser() + " " + auth + " -D " +
        (dir_ / "data").string());
    port_ = free_loopback_port();
    start();
    exec("CREATE DATABASE " + database(), "postgres");
}

PostgresServer::~PostgresServer() {
    try {
        stop();
    } catch (...) {  // a destructor must not throw; the folder goes away regardless
    }
}

std::string PostgresServer::as_owner(const std::string& command) const {
    return ::geteuid() == 0 ? "runuser -u postgres -- " + command : command;
}

void PostgresServer::run(const std::string& command) const {
    const CommandResult r = run_command(as_owner(command));
    if (r.exit_code != 0)
        throw std::runtime_error(command + " failed (" + std::to_string(r.exit_code) + "):\n" + r.output);
}

void PostgresServer::start() {
    if (running_) return;
    const std::string opts = "-p " + std::to_string(port_) + " -k " + dir_.path().string() +
                             " -c listen_addresses=127.0.0.1 -c fsync=" + (options_.fsync ? "on" : "off");
    run(kBin + "pg_ctl -w -t 60 -D " + (dir_ / "data").string() + " -l " + (dir_ / "server.log").string() + " -o '" +
        opts + "' start");
    running_ = true;
}

void PostgresServer::stop() {
    if (!running_) return;
    running_ = false;
    run(kBin + "pg_ctl -w -t 60 -D " + (dir_ / "data").string() + " -m fast stop");
}

std::string PostgresServer::conninfo(const std::string& db) const {
    return "host=" + dir_.path().string() + " port=" + std::to_string(port_) + " user=" + superuser() + " dbname=" + db;
}

PostgresServer::Rows PostgresServer::query(const std::string& sql, const std::string& db) const {
    std::unique_ptr<PGconn, ConnDeleter> conn(PQconnectdb(conninfo(db).c_str()));
    if (PQstatus(conn.get()) != CONNECTION_OK)
        throw std::runtime_error(std::string("test connection failed: ") + PQerrorMessage(conn.get()));
    std::unique_ptr<PGresult, ResultDeleter> r(PQexec(conn.get(), sql.c_str()));
    const auto status = PQresultStatus(r.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        throw std::runtime_error(sql + ": " + PQresultErrorMessage(r.get()));
    Rows rows;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        auto& row = rows.emplace_back();
        for (int j = 0; j < PQnfields(r.get()); ++j) {
            if (PQgetisnull(r.get(), i, j)) {
                row.emplace_back(std::nullopt);
            } else {
                row.emplace_back(PQgetvalue(r.get(), i, j));
            }
        }
    }
    return rows;
}

void PostgresServer::exec(const std::string& sql, const std::string& db) const { (void)query(sql, db); }

}  // namespace sluice::test
