// SPDX-License-Identifier: AGPL-3.0-or-later
// Sanitizer defaults shared by the fuzz targets, so a bare `./fuzz_x input` behaves as under ctest:
// UBSan reports abort (the targets are built with -fsanitize-recover=undefined only so that the
// third-party report in ubsan.supp can be suppressed) and print a stack. Also: escaping for the invariant messages.
#pragma once

#include <string>
#include <string_view>

extern "C" const char* __ubsan_default_options() {
    return "halt_on_error=1:print_stacktrace=1:suppressions=" SLUICE_FUZZ_UBSAN_SUPP;
}

// The bytes of `s` as a C string literal body: printable ASCII but space as is, the rest (space too) as \xNN.
inline std::string fuzz_escape(std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        if (c > 0x20 && c < 0x7f && c != '\\' && c != '"') {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}
