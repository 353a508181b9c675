// SPDX-License-Identifier: AGPL-3.0-or-later
//
// IntelMQ's http_url_formatting: with it on, "{time[<strftime format>]}" in http_url is replaced by
// the current local time (shifted by a time delta) in that format, and "{{" / "}}" stand for
// literal braces, as in Python's str.format. The template is checked once, when the bot starts.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::collector_http {

class UrlTemplate {
 public:
    // `formatting` is the parameter's JSON text: false, true, or a Python timedelta as an object
    // ({"days": -1, "hours": 2}). Throws std::invalid_argument saying what is wrong.
    UrlTemplate(std::string url, std::string_view formatting_json);

    // The URL for the moment `now`.
    std::string render(std::chrono::system_clock::time_point now) const;

 private:
    struct Piece {
        bool is_time;
        std::string text;  // literal text, or the strftime format
    };
    std::vector<Piece> pieces_;
    std::chrono::seconds delta_{0};
};

}  // namespace sluice::collector_http
