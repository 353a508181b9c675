// SPDX-License-Identifier: AGPL-3.0-or-later
#include "drop_format.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace sluice::spamhaus {
namespace {

constexpr std::array<std::string_view, 4> kNetworkUrls = {
    "https://www.spamhaus.org/drop/edrop.txt",
    "https://www.spamhaus.org/drop/dropv6.txt",
    "https://www.spamhaus.org/drop/drop.txt",
    "https://www.spamhaus.org/drop/drop.lasso",
};
constexpr std::string_view kAsnUrl = "https://www.spamhaus.org/drop/asndrop.txt";

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == sep) {
            out.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

}  // namespace

std::string_view strip_chars(std::string_view s, std::string_view chars) {
    while (!s.empty() && chars.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
    while (!s.empty() && chars.find(s.back()) != std::string_view::npos) s.remove_suffix(1);
    return s;
}

std::string_view strip_space(std::string_view s) { return strip_chars(s, " \t\n\r\v\f"); }

ListKind kind_of_url(std::string_view url) {
    if (std::find(kNetworkUrls.begin(), kNetworkUrls.end(), url) != kNetworkUrls.end()) return ListKind::network;
    if (url == kAsnUrl) return ListKind::asn;
    return ListKind::unknown;
}

ListKind kind_of_line(std::string_view line) {
    return line.size() > 2 && line.starts_with("AS") && line[2] >= '0' && line[2] <= '9' ? ListKind::asn
                                                                                         : ListKind::network;
}

bool split_network_line(std::string_view line, NetworkLine& out, std::string& why) {
    const auto parts = split(strip_space(line), ';');
    if (parts.size() < 2) return why = "no ';' between the network and the SBL id", false;
    out.network = std::string(strip_space(parts[0]));
    out.blocklist = std::string(strip_space(parts[1]));
    return true;
}

bool split_asn_line(std::string_view line, AsnLine& out, std::string& why) {
    std::string unified(line);
    std::replace(unified.begin(), unified.end(), '|', ';');
    const auto parts = split(unified, ';');
    if (parts.size() < 3) return why = "expected 'AS<number> ; <country> | <AS name>'", false;
    out.asn = std::string(strip_space(strip_chars(parts[0], "AS")));
    out.country = std::string(strip_space(parts[1]));
    out.as_name = std::string(strip_space(parts[2]));
    return true;
}

}  // namespace sluice::spamhaus
