// SPDX-License-Identifier: AGPL-3.0-or-later
#include "index_name.hpp"

#include <cctype>
#include <ctime>
#include <stdexcept>

namespace sluice::output_elasticsearch {
namespace {

// The calendar date at the start of an ISO 8601 time ("2024-02-29T..."), if there is one.
std::optional<std::tm> date_of(std::optional<std::string_view> iso) {
    if (!iso || iso->size() < 10) return std::nullopt;
    const std::string_view s = *iso;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    if (s[4] != '-' || s[7] != '-') return std::nullopt;
    std::tm tm{};
    tm.tm_year = std::stoi(std::string(s.substr(0, 4))) - 1900;
    tm.tm_mon = std::stoi(std::string(s.substr(5, 2))) - 1;
    tm.tm_mday = std::stoi(std::string(s.substr(8, 2)));
    tm.tm_hour = 12;
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31) return std::nullopt;
    const std::time_t t = ::timegm(&tm);  // fills in the weekday and day of the year
    std::tm normal{};
    ::gmtime_r(&t, &normal);
    return normal;
}

}  // namespace

IndexName::IndexName(std::string base, std::string_view rotate) : base_(std::move(base)) {
    if (rotate == "never" || rotate.empty())
        format_.clear();
    else if (rotate == "daily")
        format_ = "%Y-%m-%d";
    else if (rotate == "weekly")
        format_ = "%Y-%W";
    else if (rotate == "monthly")
        format_ = "%Y-%m";
    else if (rotate == "yearly")
        format_ = "%Y";
    else
        throw std::invalid_argument("rotate_index = '" + std::string(rotate) +
                                    "': expected never, daily, weekly, monthly or yearly");

    // Elasticsearch's rules for index names, checked here rather than per event in the bulk answer.
    const std::string where = "elastic_index = '" + base_ + "': ";
    if (base_.empty() || base_ == "." || base_ == "..") throw std::invalid_argument(where + "not a usable index name");
    if (base_.size() > 200) throw std::invalid_argument(where + "longer than 200 characters");
    if (base_[0] == '-' || base_[0] == '_' || base_[0] == '+')
        throw std::invalid_argument(where + "must not start with '-', '_' or '+'");
    for (unsigned char c : base_) {
        if (std::isupper(c)) throw std::invalid_argument(where + "must be lower case");
        if (std::string_view("\\/*?\"<>| ,#:").find(char(c)) != std::string_view::npos)
            throw std::invalid_argument(where + "must not contain '" + std::string(1, char(c)) + "'");
    }
}

std::string IndexName::for_event(std::optional<std::string_view> time_source,
                                 std::optional<std::string_view> time_observation,
                                 std::chrono::system_clock::time_point now) const {
    if (!rotates()) return base_;
    std::optional<std::tm> date = date_of(time_source);
    if (!date) date = date_of(time_observation);
    if (!date) {
        const std::time_t t = std::chrono::system_clock::to_time_t(now);
        std::tm today{};
        ::gmtime_r(&t, &today);
        date = today;
    }
    char buf[32];
    const size_t n = std::strftime(buf, sizeof buf, format_.c_str(), &*date);
    return base_ + "-" + std::string(buf, n);
}

}  // namespace sluice::output_elasticsearch
