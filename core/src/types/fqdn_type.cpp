// SPDX-License-Identifier: AGPL-3.0-or-later
// FQDN: a lower-case host name without the trailing dot, not an IP address, not a URL, and in its
// ASCII (IDNA) form. As IntelMQ does: sanitize strips blanks and dots, converts every non-ASCII
// label to punycode ("exämple.com" → "xn--exmple-cua.com") and lower-cases; is_valid wants the name
// to be its own IDNA encoding, i.e. ASCII with labels of 1 to 63 characters.
// Python's "idna" codec is IDNA 2003 (nameprep); libidn2 in transitional mode (UTS #46) maps the same
// way for nearly all names (ß → ss, case folding, NFKC) but refuses some symbols IDNA 2003 took.
#include <idn2.h>

#include <cstdlib>

#include "types/field_types.hpp"
#include "types/text_util.hpp"

namespace sluice::types {
namespace {

bool is_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

// Python's idna codec on an ASCII name: labels before the last must be 1-63 long, the last 0-63.
bool ascii_labels_ok(std::string_view v) {
    size_t start = 0;
    for (;;) {
        const size_t dot = v.find('.', start);
        const size_t len = (dot == std::string_view::npos ? v.size() : dot) - start;
        if (len >= 64) return false;
        if (dot == std::string_view::npos) return true;
        if (len == 0) return false;
        start = dot + 1;
    }
}

// The label separators of Python's idna codec: '.', U+3002, U+FF0E, U+FF61.
size_t dot_at(std::string_view s, size_t i) {
    if (s[i] == '.') return 1;
    for (std::string_view d :
         {std::string_view("\xe3\x80\x82"), std::string_view("\xef\xbc\x8e"), std::string_view("\xef\xbd\xa1")})
        if (s.substr(i, d.size()) == d) return d.size();
    return 0;
}

bool label_to_ascii(std::string_view label, std::string& out) {
    if (is_ascii(label)) {
        if (label.empty() || label.size() >= 64) return false;
        out += label;
        return true;
    }
    const std::string z(label);
    char* ace = nullptr;
    if (idn2_to_ascii_8z(z.c_str(), &ace, IDN2_TRANSITIONAL) != IDN2_OK) return false;
    const std::string_view a(ace);
    const bool ok = !a.empty() && a.size() < 64;
    out += a;
    std::free(ace);
    return ok;
}

// str.encode('idna') of a non-ASCII name.
bool idna_encode(std::string_view v, std::string& out) {
    out.clear();
    size_t start = 0;
    for (size_t i = 0; i <= v.size();) {
        const size_t d = i < v.size() ? dot_at(v, i) : 0;
        if (i < v.size() && d == 0) {
            ++i;
            continue;
        }
        const std::string_view label = v.substr(start, i - start);
        if (i == v.size() && label.empty() && start > 0) {  // a trailing dot is kept
            out += '.';
            return true;
        }
        if (start > 0) out += '.';
        if (!label_to_ascii(label, out)) return false;
        if (i == v.size()) return true;
        i += d;
        start = i;
    }
    return true;
}

bool url_like(std::string_view v) {
    // urllib.parse.urlsplit finds no scheme (no ':' gets here), netloc, query, fragment or '/'.
    return v.find_first_of("/?#") != std::string_view::npos;
}

}  // namespace

bool FQDN::is_valid(std::string_view v) const {
    if (v.empty() || v.front() == '.' || v.back() == '.') return false;
    if (v.find(':') != std::string_view::npos || url_like(v)) return false;
    if (!is_ascii(v) || text::lower(v) != v) return false;
    if (IPAddress().is_valid(v)) return false;
    return ascii_labels_ok(v);
}

// IntelMQ strips blanks, then dots. Repeated until nothing changes, so that sanitizing a sanitized
// name again leaves it as it is ("a \n." would otherwise keep its blank; found by fuzzing).
static std::string_view strip_blanks_and_dots(std::string_view v) {
    for (;;) {
        std::string_view t = text::py_strip(v);
        while (!t.empty() && t.front() == '.') t.remove_prefix(1);
        while (!t.empty() && t.back() == '.') t.remove_suffix(1);
        if (t.size() == v.size()) return t;
        v = t;
    }
}

bool FQDN::sanitize(std::string_view v, std::string& out) const {
    if (v.find('\0') != std::string_view::npos) return false;  // libidn2 would cut the name there
    v = strip_blanks_and_dots(v);
    if (v.empty()) return false;
    if (is_ascii(v)) {
        if (!ascii_labels_ok(v)) return false;
        out = text::lower(v);
        return true;
    }
    std::string encoded;
    if (!idna_encode(v, encoded)) return false;
    // IDNA's mapping can turn a character into a blank or a dot at the end: strip again.
    out = std::string(strip_blanks_and_dots(text::lower(encoded)));
    return !out.empty();
}

}  // namespace sluice::types
