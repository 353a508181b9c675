// SPDX-License-Identifier: AGPL-3.0-or-later
#include "time_format.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include <sluice/quote.hpp>
#include "civil_time.hpp"

namespace sluice::csv {
namespace {

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n\f\v");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n\f\v") - first + 1);
}

// Python's int(str): optional surrounding whitespace and sign, then digits.
int64_t parse_int(std::string_view value) {
    const std::string text(trim(value));
    size_t i = (!text.empty() && (text[0] == '+' || text[0] == '-')) ? 1 : 0;
    if (i == text.size() || text.find_first_not_of("0123456789", i) != std::string::npos) {
        throw TimeParseError("'" + quote_prefix(value) + "' is not an integer");
    }
    errno = 0;
    const long long v = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == ERANGE) throw TimeParseError("'" + quote_prefix(value) + "' is out of range");
    return v;
}

// Python's float(str) for decimal numbers; infinities and NaN are refused, as fromtimestamp does.
double parse_float(std::string_view value) {
    const std::string text(trim(value));
    if (text.empty() || text.find_first_not_of("0123456789+-.eE") != std::string::npos) {
        throw TimeParseError("'" + quote_prefix(value) + "' is not a number");
    }
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(v)) {
        throw TimeParseError("'" + quote_prefix(value) + "' is not a number");
    }
    return v;
}

std::string iso(int64_t micros) {
    try {
        return civil::isoformat_utc(micros);
    } catch (const std::out_of_range& e) {
        throw TimeParseError(e.what());
    }
}

constexpr double kMaxSeconds = 253402300800.0;  // 10000-01-01: beyond Python's datetime

// datetime.fromtimestamp(float(value), timezone.utc): microseconds rounded half to even.
std::string from_timestamp(double seconds) {
    if (std::fabs(seconds) >= kMaxSeconds) throw TimeParseError("timestamp out of range");
    const double whole = std::floor(seconds);
    int64_t us = static_cast<int64_t>(std::nearbyint((seconds - whole) * 1e6));
    return iso(static_cast<int64_t>(whole) * 1000000 + us);
}

// epoch + timedelta(seconds=int(value) * 10**-7), computed as CPython's timedelta does.
std::string from_windows_nt(int64_t ticks) {
    const double seconds = static_cast<double>(ticks) * 1e-7;
    if (std::fabs(seconds) >= kMaxSeconds * 2) throw TimeParseError("windows_nt value out of range");
    double whole = 0;
    const double fraction = std::modf(seconds, &whole);
    const int64_t us = static_cast<int64_t>(whole) * 1000000 + static_cast<int64_t>(std::nearbyint(fraction * 1e6));
    constexpr int64_t epoch_1601_us = civil::days_from_civil(1601, 1, 1) * 86400LL * 1000000LL;
    return iso(epoch_1601_us + us);
}

std::string from_epoch_millis(std::string_view value) {
    const int64_t v = parse_int(value);
    switch (value.size()) {  // IntelMQ decides by the length of the text
        case 10:
            return from_timestamp(static_cast<double>(v));
        case 12:
            return from_timestamp(static_cast<double>(civil::floor_div(v, 100)));
        case 13:
            return from_timestamp(static_cast<double>(civil::floor_div(v, 1000)));
        default:
            throw TimeParseError("epoch_millis expects 10, 12 or 13 digits, got '" + quote_prefix(value) + "'");
    }
}

int64_t to_micros(const ParsedTime& t) {
    const int64_t days = civil::days_from_civil(t.year, t.month, t.day);
    const int64_t seconds = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
    return seconds * 1000000 + t.microsecond - t.utc_offset_us.value_or(0);
}

}  // namespace

TimeFormat::TimeFormat(std::optional<std::string_view> spec) {
    if (!spec || spec->empty()) return;
    const size_t bar = spec->find('|');
    const std::string_view name = spec->substr(0, bar);
    const std::optional<std::string_view> format =
        bar == std::string_view::npos ? std::nullopt : std::optional(spec->substr(bar + 1));
    const bool wants_format = name == "from_format" || name == "from_format_midnight";
    if (name == "fuzzy" || name == "utc_isoformat") {
        kind_ = Kind::passthrough;
    } else if (name == "timestamp") {
        kind_ = Kind::timestamp;
    } else if (name == "windows_nt") {
        kind_ = Kind::windows_nt;
    } else if (name == "epoch_millis") {
        kind_ = Kind::epoch_millis;
    } else if (name == "from_format") {
        kind_ = Kind::from_format;
    } else if (name == "from_format_midnight") {
        kind_ = Kind::from_format_midnight;
    } else {
        throw std::invalid_argument("unknown conversion '" + std::string(name) +
                                    "'; expected timestamp, windows_nt, epoch_millis, from_format|<format>, "
                                    "from_format_midnight|<format>, utc_isoformat or fuzzy");
    }
    if (wants_format && (!format || format->empty())) {
        throw std::invalid_argument(std::string(name) + " needs a format: " + std::string(name) + "|<strptime format>");
    }
    if (!wants_format && format && !format->empty()) {
        throw std::invalid_argument(std::string(name) + " takes no format");
    }
    if (wants_format) {
        try {
            format_.emplace(*format);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument("format '" + std::string(*format) + "': " + e.what());
        }
    }
}

std::string TimeFormat::convert(std::string_view value) const {
    switch (kind_) {
        case Kind::passthrough:
            return std::string(value);
        case Kind::timestamp:
            return from_timestamp(parse_float(value));
        case Kind::windows_nt:
            return from_windows_nt(parse_int(value));
        case Kind::epoch_millis:
            return from_epoch_millis(value);
        case Kind::from_format:
            return iso(to_micros(format_->parse(value)));
        case Kind::from_format_midnight: {
            ParsedTime date = format_->parse(value);
            date.hour = date.minute = date.second = date.microsecond = 0;
            date.utc_offset_us.reset();
            return iso(to_micros(date));
        }
    }
    return std::string(value);
}

}  // namespace sluice::csv
