// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Reading Elasticsearch's bulk API answer: one result per action line, in request order, each
// with its HTTP status and, for a failure, the error's type and reason (and its caused_by).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::output_elasticsearch {

struct BulkItemResult {
    int status = 0;
    std::string index;  // the _index Elasticsearch reports
    std::string error;  // "type: reason (caused by type: reason)"; empty when it succeeded

    bool ok() const { return status >= 200 && status < 300; }
    bool retryable() const { return status == 429; }  // es_rejected_execution_exception: a full queue
};

// Throws std::runtime_error when the answer is not a bulk answer for `expected` items.
std::vector<BulkItemResult> parse_bulk_response(std::string_view body, size_t expected);

}  // namespace sluice::output_elasticsearch
