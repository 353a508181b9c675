// SPDX-License-Identifier: AGPL-3.0-or-later
//
// IntelMQ's index names (elasticsearch output, rotate_index): elastic_index alone, or
// elastic_index-<date of the event> with the date of time.source, else time.observation, else
// today (UTC), in the rotation's format: daily %Y-%m-%d, weekly %Y-%W (weeks start on Monday),
// monthly %Y-%m, yearly %Y.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::output_elasticsearch {

class IndexName {
 public:
    // Throws std::invalid_argument when `rotate` is not never/daily/weekly/monthly/yearly or the
    // base name is not a valid Elasticsearch index name.
    IndexName(std::string base, std::string_view rotate);

    bool rotates() const { return !format_.empty(); }
    // The index for an event with these time fields (ISO 8601, as the harmonization stores them).
    std::string for_event(std::optional<std::string_view> time_source, std::optional<std::string_view> time_observation,
                          std::chrono::system_clock::time_point now) const;

 private:
    std::string base_;
    std::string format_;  // strftime format; empty: no rotation
};

}  // namespace sluice::output_elasticsearch
