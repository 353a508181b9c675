// SPDX-License-Identifier: AGPL-3.0-or-later
//
// sluice-psql-schema: prints the CREATE TABLE (and IntelMQ's example indexes) for output_postgresql's
// table from the harmonization, as IntelMQ's intelmq_psql_initdb does. Review it, then feed it to psql:
//   sluice-psql-schema | psql -d intelmq-events
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include "pg_schema.hpp"
#include "sluice/core/defaults.hpp"
#include "sluice/core/harmonization.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: sluice-psql-schema [--harmonization FILE] [--table NAME] [--if-not-exists]\n"
    "Prints the CREATE TABLE statement for output_postgresql: a column per event field of the\n"
    "harmonization (default: $SLUICE_HARMONIZATION, else conf/harmonization.toml of this build),\n"
    "typed as IntelMQ's intelmq_psql_initdb types them, and IntelMQ's example indexes.\n"
    "  --harmonization FILE  harmonization.toml, or an IntelMQ harmonization.conf (JSON)\n"
    "  --table NAME          table name as SQL (default events)\n"
    "  --if-not-exists       add IF NOT EXISTS, so the statements can be run again\n";

}  // namespace

int main(int argc, char** argv) {
    std::string harmonization = sluice::default_harmonization_file().string();
    sluice::output_postgresql::SchemaOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if ((arg == "--harmonization" || arg == "--table") && i + 1 < argc) {
            (arg == "--table" ? options.table : harmonization) = argv[++i];
        } else if (arg == "--if-not-exists") {
            options.if_not_exists = true;
        } else if (arg == "-h" || arg == "--help") {
            std::cout << kUsage;
            return 0;
        } else {
            std::cerr << "sluice-psql-schema: unknown or incomplete argument '" << arg << "'\n" << kUsage;
            return 2;
        }
    }
    try {
        std::cout << sluice::output_postgresql::create_table_sql(sluice::Harmonization::load(harmonization), options);
    } catch (const std::exception& e) {
        std::cerr << "sluice-psql-schema: " << harmonization << ": " << e.what() << "\n";
        return 1;
    }
    return 0;
}
