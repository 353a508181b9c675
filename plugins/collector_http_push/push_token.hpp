// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The shared secret a sender must present: where it comes from (exactly one of the parameters
// token, token_file, token_env) and how a presented one is checked. The token itself never appears
// in an error message or a log line; messages name the parameter, the file or the variable.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sluice::collector_http_push {

// A parameter problem, refused at create time; the text names the parameter.
struct TokenError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The token from exactly one of its three sources (the values as the parameters hold them, nullopt
// when unset). A token file's trailing line break and blanks are dropped. Throws TokenError when
// none or several are set, the file or variable is missing, or the token is empty or holds
// characters an HTTP header cannot carry unchanged (only visible ASCII, no spaces).
std::string load_token(std::optional<std::string_view> token, std::optional<std::string_view> token_file,
                       std::optional<std::string_view> token_env);

// Compares in time that depends only on the lengths, not on where the texts differ, so a sender
// cannot find the token a byte at a time by measuring answers.
bool equal_in_constant_time(std::string_view a, std::string_view b);

enum class TokenCheck { accepted, missing, wrong };

// Checks the request's credentials: "Authorization: Bearer <token>" (scheme in any case) and
// "X-Sluice-Token: <token>"; either one matching is enough. `authorization` and `x_token` are the
// header values, empty when absent.
TokenCheck check_token(std::string_view authorization, std::string_view x_token, std::string_view expected);

}  // namespace sluice::collector_http_push
