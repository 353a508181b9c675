// SPDX-License-Identifier: AGPL-3.0-or-later
// kill -9 of a middle bot's host while 100,000 events run through the pipeline: `sluicectl up`
// restarts it and not one event is lost, on the file queue and on ZeroMQ. Duplicates (a batch
// processed again after the crash) are allowed and reported.
#include <doctest/doctest.h>

#include "crash_pipeline.hpp"

namespace {

void check_nothing_lost(const sluice::test::CrashResult& r) {
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(r.kills == 3);  // the test means nothing if the kills missed the run
    CHECK(r.output.find("middle: killed by signal 9") != std::string::npos);
    MESSAGE("kills: " << r.kills << ", events written: " << r.events << ", unique: " << r.unique
                      << ", duplicates: " << r.duplicates);
    CHECK(r.without_id == 0);
    CHECK(r.unique == static_cast<size_t>(sluice::test::kCrashEvents));
    CHECK(r.first_id == 0);
    CHECK(r.last_id == sluice::test::kCrashEvents - 1);
}

}  // namespace

TEST_CASE("file queue: killing the middle bot with SIGKILL while the pipeline runs loses no event") {
    check_nothing_lost(sluice::test::run_crash_pipeline({"file", "", 3, {}}));
}

TEST_CASE("zmq: killing the middle bot with SIGKILL while the pipeline runs loses no event") {
    check_nothing_lost(sluice::test::run_crash_pipeline({"zmq", "", 3, {}}));
}
