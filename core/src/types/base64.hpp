// SPDX-License-Identifier: AGPL-3.0-or-later
// Standard base64 (RFC 4648, with padding), as IntelMQ stores `raw`.
#pragma once

#include <string>
#include <string_view>

namespace sluice {
std::string base64_encode(std::string_view in);
// False when `in` is not valid padded base64 (whitespace is not allowed).
bool base64_decode(std::string_view in, std::string& out);
// Whether base64_decode would accept `in`, without decoding it (raw fields are megabytes).
bool base64_valid(std::string_view in);
}  // namespace sluice
