// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The CREATE TABLE for the events table of a harmonization, as IntelMQ's intelmq_psql_initdb
// writes it: an "id" BIGSERIAL primary key, then a column per event field in name order with
// IntelMQ's type mapping (IPAddress -> inet, DateTime -> timestamp with time zone, JSONDict -> json,
// a String with a length -> varchar(n), ...), then IntelMQ's example indexes. One deliberate
// difference: ASN is bigint, not integer, so 32-bit AS numbers fit.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice {
class Harmonization;
}

namespace sluice::output_postgresql {

// The PostgreSQL type of a harmonization type; nullopt for a type IntelMQ's mapping does not know.
std::optional<std::string> postgres_type(std::string_view harmonization_type, size_t max_length);

struct SchemaOptions {
    std::string table = "events";
    bool if_not_exists = false;  // IntelMQ's --skip-or-replace
};

// Throws std::runtime_error naming the field whose type has no mapping.
std::string create_table_sql(const Harmonization& harmonization, const SchemaOptions& options);

}  // namespace sluice::output_postgresql
