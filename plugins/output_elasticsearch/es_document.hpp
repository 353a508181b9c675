// SPDX-License-Identifier: AGPL-3.0-or-later
//
// An event as IntelMQ's elasticsearch output indexes it: Event.to_dict() (flat dotted keys, no
// __type; nested with hierarchical_output), then flatten_fields (a listed field whose value is a
// JSON object, or a string holding one, becomes <field>_<key> entries), then replacement_char
// (dots in every key, at any depth, replaced — for Elasticsearch 2.x).
#pragma once

#include <sluice/bot.hpp>

#include <string>
#include <vector>

namespace sluice::output_elasticsearch {

struct DocumentShape {
    bool hierarchical = false;
    std::vector<std::string> flatten_fields = {"extra"};
    std::string replacement_char;  // empty: keep the dots
};

std::string es_document(const sluice::Message& event, const DocumentShape& shape);

}  // namespace sluice::output_elasticsearch
