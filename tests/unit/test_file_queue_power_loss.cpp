// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The file queue across power cuts. Two producers and a consumer work on a simulated disk
// (crash_disk.hpp) in a random but seeded order: batches sent and synced, takes acknowledged whole
// or oldest first, producers and consumer closed and opened again, segments rotating every few
// records. Before every change the disk is about to make, the power is cut: the disk's image then
// is brought back in three ways (unsynced changes all lost, all kept, or each kept, lost or torn at
// sectors with garbage), and the queue is opened on what came back. Every record a producer had
// been told is durable and the consumer had not acknowledged must be delivered, every record
// delivered must be one that was sent, byte for byte, and the queue must take and deliver new
// records afterwards. SLUICE_POWER_LOSS_SEEDS=<n> runs more workloads than the default.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "crash_disk.hpp"
#include "sluice/brokers/file_queue.hpp"

using namespace std::chrono_literals;
using sluice::test::CrashDisk;

namespace {

const sluice::StopToken never_stop = [] { return false; };
constexpr const char* kQueue = "/var/q";

// "<id>:" then bytes derived from the id: a delivered record proves itself. Mostly up to 300 bytes,
// every 16th several kilobytes (larger than a segment, torn across many sectors).
std::string record(uint64_t id) {
    std::string out = std::to_string(id) + ':';
    const size_t length = out.size() + (id % 16 == 5 ? 4000 : 0) + (id * 2654435761u) % 300;
    while (out.size() < length) out.push_back(static_cast<char>((id * 131 + out.size() * 7) & 0xff));
    return out;
}

std::vector<std::string> records_of(const std::vector<uint64_t>& ids) {
    std::vector<std::string> out;
    for (uint64_t id : ids) out.push_back(record(id));
    return out;
}

std::optional<uint64_t> id_of(std::string_view bytes) {
    const size_t colon = bytes.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 12) return std::nullopt;
    uint64_t id = 0;
    for (char c : bytes.substr(0, colon)) {
        if (c < '0' || c > '9') return std::nullopt;
        id = id * 10 + static_cast<uint64_t>(c - '0');
    }
    if (record(id) != bytes) return std::nullopt;
    return id;
}

sluice::FileQueueOptions options_on(CrashDisk& disk) {
    sluice::FileQueueOptions options;
    options.segment_bytes = 2048;  // a rotation every dozen records or so
    options.max_bytes = uint64_t{1} << 40;
    options.file_system = &disk;
    options.log = [](sluice::LogLevel, const std::string&) {};  // damage reports are expected here
    return options;
}

// What the workload has been told, at the moment of a power cut.
struct Ledger {
    uint64_t sent = 0;           // ids 0 .. sent-1 were handed to a producer
    std::vector<bool> durable;   // by id: its producer said it is on disk
    std::vector<bool> consumed;  // by id: the consumer acknowledged it
};

struct Totals {
    uint64_t states = 0;
    uint64_t failures = 0;
    uint64_t redelivered = 0;  // records delivered again after a cut (allowed: at least once)
    std::vector<std::string> first_failures;
};

// Opens the queue on the disk as it came back, drains it, then appends and drains two new records.
// Returns what is wrong, or an empty string.
std::string recover(CrashDisk& disk, const Ledger& ledger, Totals& totals) {
    std::set<uint64_t> delivered;
    auto consumer = sluice::open_file_consumer(kQueue, options_on(disk));
    auto drain = [&](std::set<uint64_t>& into) -> std::string {
        for (int empty = 0; empty < 3;) {
            const auto& views = consumer->take(64, 0ms);
            if (views.empty()) {
                ++empty;
                continue;
            }
            for (std::string_view view : views) {
                const auto id = id_of(view);
                if (!id || *id >= ledger.sent + 2) {
                    return "delivered a record that was never sent: " + std::to_string(view.size()) + " bytes";
                }
                into.insert(*id);
            }
            consumer->ack();
        }
        return {};
    };
    if (std::string error = drain(delivered); !error.empty()) return error;
    for (uint64_t id = 0; id < ledger.sent; ++id) {
        if (ledger.durable[id] && !ledger.consumed[id] && !delivered.count(id)) {
            return "record " + std::to_string(id) + " was durable and not acknowledged, but is not delivered (" +
                   std::to_string(delivered.size()) + " of " + std::to_string(ledger.sent) + " were)";
        }
        if (ledger.consumed[id] && delivered.count(id)) ++totals.redelivered;
    }
    auto producer = sluice::open_file_producer(kQueue, options_on(disk));
    const std::string a = record(ledger.sent), b = record(ledger.sent + 1);
    if (!producer->append({a, b}, never_stop)) return "the append after the cut did not complete";
    std::set<uint64_t> after;
    if (std::string error = drain(after); !error.empty()) return error;
    if (after != std::set<uint64_t>{ledger.sent, ledger.sent + 1}) {
        return "after the cut, appending two records delivered " + std::to_string(after.size()) + " records";
    }
    return {};
}

void cut_power(const CrashDisk& disk, const Ledger& ledger, uint64_t seed, uint64_t change, std::mt19937_64& rng,
               Totals& totals) {
    for (const auto cut :
         {CrashDisk::PowerCut::lose_unsynced, CrashDisk::PowerCut::keep_unsynced, CrashDisk::PowerCut::scramble}) {
        ++totals.states;
        std::string error;
        try {
            auto after = CrashDisk::after_power_cut(disk.image(), cut, rng);
            error = recover(*after, ledger, totals);
        } catch (const std::exception& e) {
            error = std::string("threw: ") + e.what();
        }
        if (error.empty()) continue;
        ++totals.failures;
        if (totals.first_failures.size() < 5) {
            totals.first_failures.push_back("seed " + std::to_string(seed) + ", change " + std::to_string(change) +
                                            ", cut " + std::to_string(static_cast<int>(cut)) + ": " + error);
        }
    }
}

struct Batch {
    uint64_t ticket;
    std::vector<uint64_t> ids;
};

// One seeded workload; the power is cut before each of its changes to the disk.
void run_workload(uint64_t seed, size_t steps, Totals& totals) {
    std::mt19937_64 rng(seed);
    std::mt19937_64 cut_rng(seed * 7919 + 1);
    CrashDisk disk;
    Ledger ledger;
    uint64_t changes = 0;
    disk.before_change = [&] { cut_power(disk, ledger, seed, changes++, cut_rng, totals); };

    std::unique_ptr<sluice::QueueProducer> producers[2];
    std::vector<Batch> unsynced[2];
    for (auto& producer : producers) producer = sluice::open_file_producer(kQueue, options_on(disk));
    auto consumer = sluice::open_file_consumer(kQueue, options_on(disk));
    std::deque<std::vector<uint64_t>> takes;  // not acknowledged yet, oldest first

    auto new_batch = [&] {
        std::vector<uint64_t> ids(1 + rng() % 4);
        for (uint64_t& id : ids) {
            id = ledger.sent++;
            ledger.durable.push_back(false);
            ledger.consumed.push_back(false);
        }
        return ids;
    };
    auto made_durable = [&](int p, uint64_t ticket) {
        for (const Batch& batch : unsynced[p]) {
            if (batch.ticket > ticket) continue;
            for (uint64_t id : batch.ids) ledger.durable[id] = true;
        }
        std::erase_if(unsynced[p], [&](const Batch& batch) { return batch.ticket <= ticket; });
    };
    auto acknowledge = [&](const std::vector<uint64_t>& ids) {
        for (uint64_t id : ids) ledger.consumed[id] = true;
    };

    for (size_t step = 0; step < steps; ++step) {
        const int p = static_cast<int>(rng() % 2);
        const unsigned roll = rng() % 100;
        if (roll < 35) {
            const std::vector<uint64_t> ids = new_batch();
            const std::vector<std::string> bytes = records_of(ids);
            const std::vector<std::string_view> views(bytes.begin(), bytes.end());
            uint64_t ticket = 0;
            REQUIRE(producers[p]->send(views, never_stop, ticket));
            unsynced[p].push_back({ticket, ids});
        } else if (roll < 45) {
            if (unsynced[p].empty()) continue;
            const uint64_t ticket = unsynced[p].back().ticket;
            REQUIRE(producers[p]->wait_durable(ticket, never_stop));
            made_durable(p, ticket);
        } else if (roll < 52) {
            const std::vector<uint64_t> ids = new_batch();
            const std::vector<std::string> bytes = records_of(ids);
            REQUIRE(producers[p]->append(std::vector<std::string_view>(bytes.begin(), bytes.end()), never_stop));
            for (uint64_t id : ids) ledger.durable[id] = true;
            made_durable(p, UINT64_MAX);  // append syncs everything this producer sent before
        } else if (roll < 75) {
            std::vector<uint64_t> ids;
            for (std::string_view view : consumer->take(1 + rng() % 6, 0ms)) {
                const auto id = id_of(view);
                REQUIRE_MESSAGE(id.has_value(), "a record came out different from how it went in");
                ids.push_back(*id);
            }
            if (!ids.empty()) takes.push_back(std::move(ids));
        } else if (roll < 85) {
            // Counted as acknowledged from the call's start: a cut during it may find it done.
            for (const auto& ids : takes) acknowledge(ids);
            takes.clear();
            consumer->ack();
        } else if (roll < 92) {
            if (takes.empty()) continue;
            acknowledge(takes.front());
            takes.pop_front();
            consumer->ack_oldest();
        } else if (roll < 96) {
            consumer.reset();  // what was taken and not acknowledged comes again
            takes.clear();
            consumer = sluice::open_file_consumer(kQueue, options_on(disk));
        } else {
            producers[p].reset();  // what it sent and did not sync may be lost in a cut
            unsynced[p].clear();
            producers[p] = sluice::open_file_producer(kQueue, options_on(disk));
        }
    }
    disk.before_change = nullptr;
    cut_power(disk, ledger, seed, changes, cut_rng, totals);  // and once at the very end
}

uint64_t seeds_to_run() {
    if (const char* value = std::getenv("SLUICE_POWER_LOSS_SEEDS")) return std::strtoull(value, nullptr, 10);
    return 20;
}

}  // namespace

TEST_CASE("a power cut before any change to the disk loses no record reported durable and not acknowledged") {
    Totals totals;
    const uint64_t seeds = seeds_to_run();
    for (uint64_t seed = 1; seed <= seeds; ++seed) run_workload(seed, 160, totals);
    MESSAGE(totals.states << " power-cut states from " << seeds << " workloads; " << totals.redelivered
                          << " acknowledged records delivered again");
    for (const std::string& failure : totals.first_failures) MESSAGE(failure);
    CHECK(totals.states >= 3000);
    CHECK(totals.failures == 0);
}
