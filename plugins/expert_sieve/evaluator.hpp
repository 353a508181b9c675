// SPDX-License-Identifier: AGPL-3.0-or-later
// Runs a parsed rule file against one event, as IntelMQ's SieveExpertBot.model_process does: the
// statements in order, the first `drop` or `keep` ends processing, modifications apply at once.
#pragma once

#include <sluice/bot.hpp>

#include <string>
#include <vector>

#include "ast.hpp"
#include "event_fields.hpp"

namespace sluice::sieve {

struct Outcome {
    bool drop = false;
    std::vector<std::string> paths;  // where to send the event: the last `path` action; empty: _default
};

// Throws sluice::RejectError, naming the rule's file, line and column, for what IntelMQ fails the
// message on: an undefined variable or one of the wrong type, a time operand that does not parse,
// `+=` / `-=` on a missing or non-time key. A value the harmonization refuses throws FieldError.
// `fields`: the bot's decoding memory, reused from event to event.
Outcome evaluate(const Program& program, sluice::Message& event, sluice::Context& ctx, EventFields& fields);

}  // namespace sluice::sieve
