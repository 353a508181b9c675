// SPDX-License-Identifier: AGPL-3.0-or-later
// What the pipeline tests on a small disk share: a CSV feed of numbered events, var/ on a small
// tmpfs, a ballast file that fills it, and the ids found in an output file.
#pragma once

#include <filesystem>
#include <set>
#include <string>

namespace sluice::test {

// files × lines CSV rows "id,time,ip,fqdn", ids 0 … files·lines−1, in part<N>.csv under dir.
void write_event_feed(const std::filesystem::path& dir, int files, int lines_per_file);
// dir/sluice.toml for the feed: collector_file (scheduled, `collector_parameters` besides path and
// pattern) -> parser_csv (one report per batch) -> expert_taxonomy -> output_file writing `output`.
void write_event_pipeline(const std::filesystem::path& dir, const std::string& collector_parameters,
                          const std::string& output);
// A tmpfs of `size` ("8m") at `at`, in a mount namespace of this process's own: no mount outlives
// the test, even one killed on its time-out. False when that cannot be done (not root).
bool mount_small_disk(const std::filesystem::path& at, const char* size);
void write_ballast(const std::filesystem::path& file, uint64_t bytes);

struct OutputIds {
    size_t lines = 0;
    std::set<int> ids;  // the distinct "extra.id" values
};
OutputIds read_output_ids(const std::filesystem::path& file);

}  // namespace sluice::test
