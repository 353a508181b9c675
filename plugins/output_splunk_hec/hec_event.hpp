// SPDX-License-Identifier: AGPL-3.0-or-later
//
// One event in Splunk HTTP Event Collector's JSON event format:
//   {"time": <epoch seconds>, "host": ..., "source": ..., "sourcetype": ..., "index": ..., "event": {...}}
// with the metadata keys only when configured, "time" from time.source (else time.observation),
// and the event as IntelMQ's JSON (flat dotted keys, or nested), without __type.
#pragma once

#include <sluice/bot.hpp>

#include <string>

namespace sluice::output_splunk_hec {

struct HecMetadata {
    std::string host, source, sourcetype, index;
    bool hierarchical = false;
};

std::string hec_event(const sluice::Message& event, const HecMetadata& meta);

// HEC's answer {"text": ..., "code": N, "invalid-event-number": M}: code -1 when the body is not
// such an answer, invalid_event -1 when the answer names no event.
struct HecAnswer {
    int code = -1;
    std::string text;
    long invalid_event = -1;
};
HecAnswer parse_hec_answer(std::string_view body);

}  // namespace sluice::output_splunk_hec
