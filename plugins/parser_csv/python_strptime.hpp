// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Python's datetime.strptime (C locale) for the directives feeds use, so that IntelMQ's
// `from_format|<format>` time formats parse the same text the same way:
//   %Y %y %m %d %j %H %I %M %S %f %p %b %B %a %A %w %u %z %Z %c %x %X %%
// Matching follows CPython's _strptime: the format becomes a case-insensitive pattern where a run
// of whitespace matches one or more whitespace characters, each directive tries its alternatives in
// CPython's order with backtracking, and text left over after the match is an error
// ("unconverted data remains"). %Z accepts UTC and GMT; %U %W %G %V are not supported and are
// refused when the format is compiled.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::csv {

// A value that does not match its format, or names an impossible date.
struct TimeParseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct ParsedTime {
    int64_t year = 1900;
    unsigned month = 1;
    unsigned day = 1;
    unsigned hour = 0;
    unsigned minute = 0;
    unsigned second = 0;
    unsigned microsecond = 0;
    std::optional<int64_t> utc_offset_us;  // set by %z: local time minus UTC, in microseconds
};

class StrptimeFormat {
 public:
    // Throws std::invalid_argument for a bad or unsupported directive.
    explicit StrptimeFormat(std::string_view format);
    // Throws TimeParseError.
    ParsedTime parse(std::string_view value) const;

    struct Token {
        enum Kind { literal, whitespace, directive } kind;
        char value;  // the literal character or the directive letter
    };

 private:
    std::vector<Token> tokens_;
};

}  // namespace sluice::csv
