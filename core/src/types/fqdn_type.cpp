// SPDX-License-Identifier: AGPL-3.0-or-later
// FQDN: a lower-case host name without the trailing dot, and not an IP address.
// Non-ASCII (IDNA) names are kept as given for now; IDNA conversion is part of the full ontology.
#include "types/field_types.hpp"
#include "types/text_util.hpp"

namespace sluice::types {
namespace {

bool label_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c >= 0x80;
}

}  // namespace

bool FQDN::is_valid(std::string_view v) const {
    if (v.empty() || v.size() > 253 || v.back() == '.' || v.front() == '.') return false;
    if (IPAddress().is_valid(v)) return false;
    size_t label = 0;
    for (unsigned char c : v) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        if (!label_char(c) || ++label > 63) return false;
    }
    return true;
}

bool FQDN::sanitize(std::string_view v, std::string& out) const {
    v = text::trim(v);
    while (!v.empty() && v.back() == '.') v.remove_suffix(1);
    out = text::lower(v);
    return true;
}

}  // namespace sluice::types
