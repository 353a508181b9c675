// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The query string of a submission ("?feed.url=...&extra.batch=7"): report fields the sender sets
// for its one report. Only feed.* and extra.* keys are taken (raw is the body, time.observation
// is the host's); the harmonization then checks each one like any other value.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::collector_http_push {

// A query the sender got wrong; the text names the parameter, never a header or the body.
struct QueryError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// The decoded key/value pairs of `query` (the part after '?', without it), in order. '+' is a
// space and %XX a byte, as HTML forms and curl --data-urlencode write them. Empty pieces ("a=1&&b=2")
// are skipped. Throws QueryError for a broken %-escape, a key without "=", or a key that is no
// feed.* or extra.* field.
std::vector<std::pair<std::string, std::string>> report_fields_of(std::string_view query);

}  // namespace sluice::collector_http_push
