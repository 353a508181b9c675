// SPDX-License-Identifier: AGPL-3.0-or-later
// String, LowercaseString, UppercaseString: any non-empty text, optionally case-folded.
#include "types/field_types.hpp"
#include "types/text_util.hpp"

namespace sluice::types {

bool String::is_valid(std::string_view v) const { return !v.empty(); }
// IntelMQ's sanitize strips surrounding blanks (Python's str.strip()); nothing left is no value.
bool String::sanitize(std::string_view v, std::string& out) const {
    out.assign(text::py_strip(v));
    return !out.empty();
}

bool LowercaseString::is_valid(std::string_view v) const { return !v.empty() && text::lower(v) == v; }
bool LowercaseString::sanitize(std::string_view v, std::string& out) const {
    out = text::lower(text::py_strip(v));
    return !out.empty();
}

bool UppercaseString::is_valid(std::string_view v) const { return !v.empty() && text::upper(v) == v; }
bool UppercaseString::sanitize(std::string_view v, std::string& out) const {
    out = text::upper(text::py_strip(v));
    return !out.empty();
}

}  // namespace sluice::types
