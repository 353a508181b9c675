// SPDX-License-Identifier: AGPL-3.0-or-later
// URL: needs a scheme and a host. Sanitizing undoes the defanging feeds apply ("hxxp://", "[.]").
#include "types/field_types.hpp"
#include "types/text_util.hpp"

namespace sluice::types {
namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
        s.replace(pos, from.size(), to);
}

bool scheme_char(char c, bool first) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return first ? alpha : alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

}  // namespace

bool URL::is_valid(std::string_view v) const {
    const size_t sep = v.find("://");
    if (sep == std::string_view::npos || sep == 0) return false;
    for (size_t i = 0; i < sep; ++i)
        if (!scheme_char(v[i], i == 0)) return false;
    std::string_view rest = v.substr(sep + 3);
    const size_t host_end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, host_end);
    if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    if (authority.empty() || authority.front() == ':') return false;
    for (char c : v)
        if (text::is_space(c)) return false;
    return true;
}

bool URL::sanitize(std::string_view v, std::string& out) const {
    out.assign(text::py_strip(v));
    if (text::starts_with_i(out, "hxxp")) out.replace(0, 4, "http");
    replace_all(out, "[.]", ".");
    replace_all(out, "[:]", ":");
    // IntelMQ: a file URL without a host gets "localhost" ("file:///etc/hosts").
    if (text::starts_with_i(out, "file:///")) out.insert(7, "localhost");
    return !out.empty();
}

}  // namespace sluice::types
