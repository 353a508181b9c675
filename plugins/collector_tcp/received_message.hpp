// SPDX-License-Identifier: AGPL-3.0-or-later
//
// A message received from an IntelMQ or Sluice TCP output, turned back into an event (or report).
// The sender writes IntelMQ's to_json: flat dotted keys or nested objects, usually without
// __type. Every field goes through the harmonization again (the host's field_set), so a sender
// cannot slip in what the local harmonization refuses.
#pragma once

#include <sluice/bot.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sluice::collector_tcp {

enum class ReceivedKind { event, report, not_a_message };

// What `payload` is: a JSON object with __type "Report" is a report, any other JSON object an
// event (IntelMQ's TCP output leaves __type out), anything else not a message.
ReceivedKind received_kind(std::string_view payload);

// Sets the fields of `payload` (a JSON object) on `msg`. Returns the reason naming the field when
// the harmonization refuses one, nullopt when all were taken.
std::optional<std::string> fill_message(std::string_view payload, sluice::Message& msg);

}  // namespace sluice::collector_tcp
