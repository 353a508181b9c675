// SPDX-License-Identifier: AGPL-3.0-or-later
//
// An event as the REST output posts it: IntelMQ's Event.to_dict() as JSON (flat dotted keys, or
// nested with hierarchical_output; no __type), or as an HTML form (use_json = false).
#pragma once

#include <sluice/bot.hpp>

#include <string>

namespace sluice::output_restapi {

std::string event_json(const sluice::Message& event, bool hierarchical);

// application/x-www-form-urlencoded: key=value&...; strings as their text, other values as JSON.
std::string event_form(const sluice::Message& event);

}  // namespace sluice::output_restapi
