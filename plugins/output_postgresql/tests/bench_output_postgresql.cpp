// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Not a test: measures events/s that output_postgresql commits into a private PostgreSQL cluster
// (fsync on), through the real host code (BotHarness: decode, process per event, flush per batch).
//   bench_output_postgresql [events=100000] [batch=500]
#include <sluice/codec.hpp>
#include <sluice/core/bot_harness.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "postgres_server.hpp"

namespace {

// An event of about 500 bytes of wire JSON, like a parsed scanner report line.
std::string event(size_t i) {
    const std::string ip =
        "10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255);
    return R"({"__type":"Event","feed.name":"Benchmark feed","feed.provider":"Sluice","feed.accuracy":100.0,)"
           R"("time.observation":"2024-05-01T12:00:00+00:00","time.source":"2024-05-01T11:59:00+00:00",)"
           R"("classification.type":"scanner","classification.taxonomy":"information-gathering",)"
           R"("source.ip":")" +
           ip + R"(","source.port":)" + std::to_string(1024 + i % 60000) +
           R"(,"source.asn":64496,"source.geolocation.cc":"AT","source.reverse_dns":"host-)" + std::to_string(i) +
           R"(.example.net","destination.port":22,"protocol.application":"ssh","protocol.transport":"tcp",)"
           R"("extra.tags":["benchmark","ssh"],"raw":")" +
           sluice::base64::encode(ip + ",22,ssh,scanner," + std::to_string(i) + ",some more context") + R"("})";
}

}  // namespace

int main(int argc, char** argv) {
    const size_t total = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100000;
    const size_t batch = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 500;
    sluice::test::PostgresServer server(sluice::test::PostgresServer::Options{.fsync = true});
    const auto schema =
        sluice::test::run_command((sluice::test::build_dir() / "bin" / "sluice-psql-schema").string() + " 2>/dev/null");
    server.exec(schema.output);

    std::vector<std::vector<std::string>> batches;
    size_t bytes = 0;
    for (size_t i = 0; i < total; i += batch) {
        auto& b = batches.emplace_back();
        for (size_t j = i; j < std::min(total, i + batch); ++j) {
            b.push_back(event(j));
            bytes += b.back().size();
        }
    }
    sluice::BotHarness bot("output_postgresql",
                           R"({"host": "127.0.0.1", "port": )" + std::to_string(server.port()) +
                               R"(, "database": "events", "user": "sluice", "sslmode": "disable"})");
    const auto start = std::chrono::steady_clock::now();
    size_t failed = 0;
    for (const auto& b : batches) failed += bot.process(b).failed.size();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto rows = server.query("SELECT count(*) FROM events");
    std::printf(
        "%zu events (%zu bytes each on average) in batches of %zu: %.2f s, %.0f events/s; rows %s, failed %zu\n", total,
        total ? bytes / total : 0, batch, seconds, static_cast<double>(total) / seconds, rows[0][0]->c_str(), failed);
    return failed == 0 && *rows[0][0] == std::to_string(total) ? 0 : 1;
}
