// SPDX-License-Identifier: AGPL-3.0-or-later
//
// How one event becomes one line of the output file, with IntelMQ's output-bot parameters:
//  - the event as JSON (flat dotted keys, or nested with hierarchical_output), without `raw` unless
//    keep_raw_field and without `__type` unless message_with_type — IntelMQ's defaults;
//  - or, with single_key, only that field's value: `raw` base64-decoded, `output` JSON-decoded when
//    it holds a string, any other key as its text (numbers and booleans as JSON).
#pragma once

#include <sluice/bot.hpp>

#include <optional>
#include <string>

namespace sluice::output_file {

struct LineFormat {
    bool hierarchical = false;
    bool keep_raw_field = false;
    bool with_type = false;
    std::string single_key;  // empty: the whole event
};

// Appends the event's line (with its "\n") to `out`. Returns false, appending nothing, when
// single_key names a field the event does not have.
bool append_event_line(const LineFormat& format, const sluice::Message& event, std::string& out);

}  // namespace sluice::output_file
