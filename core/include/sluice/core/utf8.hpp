// SPDX-License-Identifier: AGPL-3.0-or-later
// UTF-8 as strict JSON readers want it (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF). Bounded quoting of values in reasons and log lines is sluice/quote.hpp.
//
// Feeds are not always UTF-8 (a Latin-1 "caf\xe9" in a CSV): the harmonization repairs every value
// it accepts, each invalid sequence becoming U+FFFD, and counts the values it repaired; every JSON
// string Sluice writes (events, dumps, --json output, JSON logs) is repaired the same way, so
// Python's json, Elasticsearch and PostgreSQL never refuse what comes out. IntelMQ decodes with
// errors ignored (the bytes vanish); the replacement character keeps the damage visible.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "sluice/quote.hpp"

namespace sluice {

// The length of the valid UTF-8 sequence at the start of `s`, or 0 when it starts with an
// invalid one (or `s` is empty).
size_t utf8_sequence_length(std::string_view s);
// The length of the invalid sequence at the start of a non-empty `s` that one U+FFFD replaces (its
// "maximal subpart", at least 1), or 0 when `s` starts with a valid sequence.
size_t utf8_invalid_length(std::string_view s);
// Whether all of `s` is valid UTF-8.
bool valid_utf8(std::string_view s);
// Appends `s` with every maximal invalid subsequence replaced by U+FFFD (as Python's
// errors="replace" and the WHATWG decoder do); returns how many were replaced.
size_t append_repaired_utf8(std::string& out, std::string_view s);

}  // namespace sluice
