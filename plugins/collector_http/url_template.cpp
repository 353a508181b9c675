// SPDX-License-Identifier: AGPL-3.0-or-later
#include "url_template.hpp"

#include <rapidjson/document.h>

#include <cmath>
#include <ctime>
#include <map>
#include <stdexcept>

namespace sluice::collector_http {
namespace {

// Python's timedelta keywords, in seconds.
const std::map<std::string, double, std::less<>> kDeltaUnits = {
    {"weeks", 604800},
    {"days", 86400},
    {"hours", 3600},
    {"minutes", 60},
    {"seconds", 1},
    {"milliseconds", 0.001},
    {"microseconds", 0.000001},
};

}  // namespace

UrlTemplate::UrlTemplate(std::string url, std::string_view formatting_json) {
    rapidjson::Document d;
    d.Parse(formatting_json.data(), formatting_json.size());
    bool enabled = false;
    if (!d.HasParseError() && d.IsBool()) {
        enabled = d.GetBool();
    } else if (!d.HasParseError() && d.IsObject()) {
        enabled = true;
        double seconds = 0;
        for (const auto& m : d.GetObject()) {
            const auto unit = kDeltaUnits.find(std::string_view(m.name.GetString(), m.name.GetStringLength()));
            if (unit == kDeltaUnits.end())
                throw std::invalid_argument("unknown time delta unit '" + std::string(m.name.GetString()) +
                                            "' (use weeks, days, hours, minutes, seconds, milliseconds, microseconds)");
            if (!m.value.IsNumber())
                throw std::invalid_argument("time delta '" + std::string(m.name.GetString()) + "' is not a number");
            seconds += m.value.GetDouble() * unit->second;
        }
        delta_ = std::chrono::seconds(static_cast<long long>(std::llround(seconds)));
    } else {
        throw std::invalid_argument("expected true, false or a time delta object such as {\"days\": -1}");
    }

    if (!enabled) {
        pieces_.push_back({false, std::move(url)});
        return;
    }
    std::string literal;
    for (size_t i = 0; i < url.size(); ++i) {
        const char c = url[i];
        if (c == '}') {
            if (i + 1 < url.size() && url[i + 1] == '}') {
                literal += '}';
                ++i;
                continue;
            }
            throw std::invalid_argument("single '}' at position " + std::to_string(i) + " (write '}}' for a brace)");
        }
        if (c != '{') {
            literal += c;
            continue;
        }
        if (i + 1 < url.size() && url[i + 1] == '{') {
            literal += '{';
            ++i;
            continue;
        }
        // A replacement field; as in Python, a ':' inside [...] belongs to the key.
        const size_t open = url.find('[', i);
        const size_t close_bracket = open == std::string::npos ? open : url.find(']', open);
        if (url.compare(i, 6, "{time[") != 0 || close_bracket == std::string::npos || close_bracket + 1 >= url.size() ||
            url[close_bracket + 1] != '}') {
            throw std::invalid_argument("unknown placeholder at position " + std::to_string(i) +
                                        ": only {time[<strftime format>]} is known, e.g. {time[%Y-%m-%d]}");
        }
        if (!literal.empty()) pieces_.push_back({false, std::move(literal)});
        literal.clear();
        pieces_.push_back({true, url.substr(open + 1, close_bracket - open - 1)});
        i = close_bracket + 1;
    }
    if (!literal.empty()) pieces_.push_back({false, std::move(literal)});
}

std::string UrlTemplate::render(std::chrono::system_clock::time_point now) const {
    const std::time_t t = std::chrono::system_clock::to_time_t(now + delta_);
    std::tm local{};
    ::localtime_r(&t, &local);  // IntelMQ uses datetime.now(): the local time
    std::string out;
    for (const Piece& p : pieces_) {
        if (!p.is_time) {
            out += p.text;
            continue;
        }
        char buf[512];
        const size_t n = std::strftime(buf, sizeof buf, p.text.c_str(), &local);
        out.append(buf, n);
    }
    return out;
}

}  // namespace sluice::collector_http
