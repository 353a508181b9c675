// SPDX-License-Identifier: AGPL-3.0-or-later
// Quoting a value in a reason or a log line: at most a bounded prefix of it, cut on a UTF-8
// character boundary, and "… (N bytes)" when it was cut. A feed can hold a 10 MB value; the reason
// a record is dumped for, and the log line about it, need only enough of it to recognise it (the
// dump keeps the whole record). Header-only, for plugins and the host alike.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice {

inline std::string quote_prefix(std::string_view value, size_t max = 200) {
    if (value.size() <= max) return std::string(value);
    size_t cut = max;
    // Back to a character boundary: never between a lead byte and its continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
    return std::string(value.substr(0, cut)) + "… (" + std::to_string(value.size()) + " bytes)";
}

}  // namespace sluice
