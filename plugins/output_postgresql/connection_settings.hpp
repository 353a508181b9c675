// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The bot's parameters turned into libpq connection settings. The password may come from the
// configuration (IntelMQ's `password`), from a file (`password_file`) or from an environment
// variable (`password_env`), so it need not be written into sluice.toml; with none of them libpq's
// own sources apply (PGPASSWORD, ~/.pgpass). The password is never part of `description`, which is
// what logs and errors show.
#pragma once

#include <sluice/bot.hpp>

#include <string>

#include "pg_connection.hpp"

namespace sluice::output_postgresql {

struct ConnectionTarget {
    ConnectSettings settings;  // includes the password when one was given
    std::string description;   // "postgresql://user@host:port/database", for people
};

// Throws sluice::FatalError naming the parameter when one is unusable (an unknown sslmode, two
// password sources, an unreadable password file, an unset variable).
ConnectionTarget connection_target(const sluice::Params& p);

}  // namespace sluice::output_postgresql
