// SPDX-License-Identifier: AGPL-3.0-or-later
#include "connection_settings.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>

namespace sluice::output_postgresql {
namespace {

constexpr std::array kSslModes = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"};

std::string read_password_file(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw sluice::FatalError("parameter 'password_file' = '" + file + "': cannot read it: " + std::strerror(errno));
    }
    std::string password((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The file's one line: editors add a newline, which is not part of the password.
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
    if (password.empty()) throw sluice::FatalError("parameter 'password_file' = '" + file + "': the file is empty");
    return password;
}

std::optional<std::string> password_from(const sluice::Params& p) {
    const auto inline_password = p.get("password");
    const auto file = p.get("password_file");
    const auto env = p.get("password_env");
    const int given =
        (inline_password && !inline_password->empty()) + (file && !file->empty()) + (env && !env->empty());
    if (given > 1) {
        throw sluice::FatalError(
            "parameters 'password', 'password_file' and 'password_env' exclude each other: give one of them");
    }
    if (file && !file->empty()) return read_password_file(std::string(*file));
    if (env && !env->empty()) {
        const char* value = std::getenv(std::string(*env).c_str());
        if (!value || !*value) {
            throw sluice::FatalError("parameter 'password_env' = '" + std::string(*env) +
                                     "': that environment variable is not set");
        }
        return std::string(value);
    }
    if (inline_password && !inline_password->empty()) return std::string(*inline_password);
    return std::nullopt;
}

}  // namespace

ConnectionTarget connection_target(const sluice::Params& p) {
    const std::string engine = p.string("engine", "postgresql");
    if (engine != "postgresql") {
        throw sluice::FatalError("parameter 'engine' = '" + engine +
                                 "': this bot writes to PostgreSQL only (output_sqlite writes SQLite)");
    }
    const std::string sslmode = p.string("sslmode", "require");
    if (std::find(kSslModes.begin(), kSslModes.end(), sslmode) == kSslModes.end()) {
        throw sluice::FatalError("parameter 'sslmode' = '" + sslmode +
                                 "': use disable, allow, prefer, require, verify-ca or verify-full");
    }
    const int64_t port = p.integer("port", 5432);
    if (port < 1 || port > 65535)
        throw sluice::FatalError("parameter 'port' = " + std::to_string(port) + ": not a port");
    const int64_t timeout = p.integer("connect_timeout", 5);
    if (timeout < 0) throw sluice::FatalError("parameter 'connect_timeout' must not be negative");

    ConnectionTarget t;
    const std::string host = p.string("host", "localhost"), database = p.string("database", "intelmq-events"),
                      user = p.string("user", "intelmq");
    t.settings = {
        {"host", host},
        {"port", std::to_string(port)},
        {"dbname", database},
        {"user", user},
        {"sslmode", sslmode},
        {"connect_timeout", std::to_string(timeout)},
        {"client_encoding", "UTF8"},  // the values are UTF-8 whatever the server's default is
        {"application_name", "sluice output_postgresql"},
        // A peer that vanished without closing the connection is noticed within about a minute.
        {"keepalives", "1"},
        {"keepalives_idle", "30"},
        {"keepalives_interval", "10"},
        {"keepalives_count", "3"},
    };
    if (auto password = password_from(p)) t.settings.emplace_back("password", std::move(*password));
    t.description = "postgresql://" + user + "@" + host + ":" + std::to_string(port) + "/" + database;
    return t;
}

}  // namespace sluice::output_postgresql
