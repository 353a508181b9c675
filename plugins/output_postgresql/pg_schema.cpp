// SPDX-License-Identifier: AGPL-3.0-or-later
#include "pg_schema.hpp"

#include <algorithm>
#include <initializer_list>
#include <stdexcept>
#include <vector>

#include "sluice/core/harmonization.hpp"

namespace sluice::output_postgresql {
namespace {

// intelmq_psql_initdb's example indexes; those the harmonization lacks are left out.
constexpr std::string_view kIndexed[] = {"classification.identifier",
                                         "classification.taxonomy",
                                         "classification.type",
                                         "feed.code",
                                         "feed.name",
                                         "source.abuse_contact",
                                         "source.asn",
                                         "source.ip",
                                         "source.fqdn",
                                         "time.observation",
                                         "time.source"};

bool is_one_of(std::string_view v, std::initializer_list<std::string_view> options) {
    return std::find(options.begin(), options.end(), v) != options.end();
}

std::string sql_identifier(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// An index name from the table's SQL name: idx_<table>_<field>, quoted since fields hold dots.
std::string index_name(std::string_view table, std::string_view field) {
    std::string base;
    for (char c : table) {
        if (c != '"') base += c == '.' ? '_' : c;
    }
    return sql_identifier("idx_" + base + "_" + std::string(field));
}

}  // namespace

std::optional<std::string> postgres_type(std::string_view type, size_t max_length) {
    if (is_one_of(type, {"String", "Base64", "URL", "FQDN", "MalwareName", "ClassificationType", "LowercaseString",
                         "UppercaseString", "Registry", "TLP", "ClassificationTaxonomy"})) {
        return max_length ? "varchar(" + std::to_string(max_length) + ")" : "text";
    }
    if (is_one_of(type, {"IPAddress", "IPNetwork"})) return "inet";
    if (type == "DateTime") return "timestamp with time zone";
    if (type == "Boolean") return "boolean";
    // IntelMQ writes integer for ASN too, but 32-bit ASNs (up to 4294967295, which the harmonization
    // accepts) do not fit it.
    if (type == "ASN") return "bigint";
    if (type == "Integer") return "integer";
    if (is_one_of(type, {"Float", "Accuracy"})) return "real";
    if (type == "UUID") return "UUID";
    if (is_one_of(type, {"JSON", "JSONDict"})) return "json";
    return std::nullopt;
}

std::string create_table_sql(const Harmonization& harmonization, const SchemaOptions& options) {
    const auto& fields = harmonization.fields(MessageType::event);
    std::vector<std::string> names;
    for (const auto& [name, spec] : fields) names.push_back(name);
    std::sort(names.begin(), names.end());

    const std::string if_not_exists = options.if_not_exists ? " IF NOT EXISTS" : "";
    std::string sql =
        "CREATE TABLE" + if_not_exists + " " + options.table + " (\n    \"id\" BIGSERIAL UNIQUE PRIMARY KEY";
    for (const auto& name : names) {
        const FieldSpec& spec = fields.find(name)->second;
        const auto type = postgres_type(spec.type->name(), spec.max_length);
        if (!type) {
            throw std::runtime_error("field '" + name + "' has type " + std::string(spec.type->name()) +
                                     ", which has no PostgreSQL column type here");
        }
        sql += ",\n    " + sql_identifier(name) + " " + *type;
    }
    sql += "\n);\n";
    for (std::string_view field : kIndexed) {
        if (!fields.count(std::string(field))) continue;
        sql += "CREATE INDEX" + if_not_exists + " " + index_name(options.table, field) + " ON " + options.table +
               " USING btree (" + sql_identifier(field) + ");\n";
    }
    return sql;
}

}  // namespace sluice::output_postgresql
