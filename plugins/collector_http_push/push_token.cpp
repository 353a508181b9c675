// SPDX-License-Identifier: AGPL-3.0-or-later
#include "push_token.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace sluice::collector_http_push {
namespace {

std::string_view trim(std::string_view s) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

// Says what is wrong with a token without quoting it.
void check_usable(std::string_view token, const std::string& where) {
    if (token.empty()) throw TokenError(where + ": the token is empty");
    const bool printable = std::all_of(token.begin(), token.end(), [](char c) { return c > ' ' && c < 0x7f; });
    if (!printable)
        throw TokenError(where + ": the token may hold only visible ASCII characters (no spaces or line breaks)");
}

std::string read_token_file(std::string_view path) {
    const std::string where = "parameter 'token_file' = '" + std::string(path) + "'";
    std::ifstream in{std::string(path), std::ios::binary};
    if (!in) throw TokenError(where + ": cannot read the file");
    const std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) throw TokenError(where + ": cannot read the file");
    // Only the ends are trimmed: "echo secret > file" leaves a line break that is not part of it.
    std::string token(trim(content));
    check_usable(token, where);
    return token;
}

std::string read_token_env(std::string_view name) {
    const std::string where = "parameter 'token_env' = '" + std::string(name) + "'";
    if (name.empty()) throw TokenError("parameter 'token_env' is empty: name the environment variable");
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) throw TokenError(where + ": the environment variable is not set");
    std::string token(trim(value));
    check_usable(token, where);
    return token;
}

bool iequals_prefix(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        if (lower(text[i]) != lower(prefix[i])) return false;
    }
    return true;
}

}  // namespace

std::string load_token(std::optional<std::string_view> token, std::optional<std::string_view> token_file,
                       std::optional<std::string_view> token_env) {
    const int set = int(token.has_value()) + int(token_file.has_value()) + int(token_env.has_value());
    if (set == 0)
        throw TokenError(
            "no token: set one of the parameters 'token', 'token_file' or 'token_env'; the endpoint "
            "does not accept reports without one");
    if (set > 1) {
        std::string names;
        for (auto [name, v] :
             {std::pair{"'token'", token.has_value()}, std::pair{"'token_file'", token_file.has_value()},
              std::pair{"'token_env'", token_env.has_value()}}) {
            if (!v) continue;
            names += (names.empty() ? "" : " and ") + std::string(name);
        }
        throw TokenError("parameters " + names + (set == 2 ? " are both" : " are all") +
                         " set: give the token in one way only");
    }
    if (token_file) return read_token_file(*token_file);
    if (token_env) return read_token_env(*token_env);
    check_usable(*token, "parameter 'token'");
    return std::string(*token);
}

bool equal_in_constant_time(std::string_view a, std::string_view b) {
    // Every byte of the longer text is looked at whatever the contents; volatile keeps the
    // compiler from turning the loop into an early-exit comparison.
    volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
    const size_t n = std::max(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
        const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
        const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
        diff = diff | static_cast<unsigned char>(x ^ y);
    }
    return diff == 0;
}

TokenCheck check_token(std::string_view authorization, std::string_view x_token, std::string_view expected) {
    bool presented = false, matched = false;
    authorization = trim(authorization);
    if (iequals_prefix(authorization, "bearer ")) {
        presented = true;
        matched = equal_in_constant_time(trim(authorization.substr(7)), expected);
    }
    x_token = trim(x_token);
    if (!x_token.empty()) {
        presented = true;
        // Both are compared, so the time does not say which header carried the right token.
        matched = equal_in_constant_time(x_token, expected) || matched;
    }
    if (!presented) return TokenCheck::missing;
    return matched ? TokenCheck::accepted : TokenCheck::wrong;
}

}  // namespace sluice::collector_http_push
