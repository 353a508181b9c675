// SPDX-License-Identifier: AGPL-3.0-or-later
#include "url_hostname.hpp"

namespace sluice::url2fqdn {
namespace {

bool is_scheme_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
           c == '.';
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

}  // namespace

std::string url_hostname(std::string_view url) {
    // urlsplit: a scheme is the text before the first ':' when it is all scheme characters and
    // starts with a letter.
    std::string_view rest = url;
    if (const size_t colon = url.find(':'); colon != std::string_view::npos && colon > 0) {
        const std::string_view scheme = url.substr(0, colon);
        bool valid = (scheme[0] >= 'a' && scheme[0] <= 'z') || (scheme[0] >= 'A' && scheme[0] <= 'Z');
        for (char c : scheme) valid = valid && is_scheme_char(c);
        if (valid) rest = url.substr(colon + 1);
    }
    if (!rest.starts_with("//")) return {};
    rest.remove_prefix(2);
    std::string_view netloc = rest.substr(0, rest.find_first_of("/?#"));
    if (const size_t at = netloc.rfind('@'); at != std::string_view::npos) netloc.remove_prefix(at + 1);
    std::string_view host;
    if (const size_t open = netloc.find('['); open != std::string_view::npos) {
        host = netloc.substr(open + 1);
        host = host.substr(0, host.find(']'));
    } else {
        host = netloc.substr(0, netloc.find(':'));
    }
    std::string out;
    out.reserve(host.size());
    for (char c : host) out += lower(c);
    return out;
}

}  // namespace sluice::url2fqdn
