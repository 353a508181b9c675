// SPDX-License-Identifier: AGPL-3.0-or-later
#include "taxonomy_map.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace sluice::taxonomy {
namespace {

// Sorted by type, for binary search; generated from classification.json's "type_to_taxonomy".
constexpr std::pair<std::string_view, std::string_view> kTypeToTaxonomy[] = {
    {"application-compromise", "intrusions"},
    {"blacklist", "other"},
    {"brute-force", "intrusion-attempts"},
    {"burglary", "intrusions"},
    {"c2-server", "malicious-code"},
    {"copyright", "fraud"},
    {"data-leak", "information-content-security"},
    {"data-loss", "information-content-security"},
    {"ddos", "availability"},
    {"ddos-amplifier", "vulnerable"},
    {"dga-domain", "other"},
    {"dos", "availability"},
    {"exploit", "intrusion-attempts"},
    {"harmful-speech", "abusive-content"},
    {"ids-alert", "intrusion-attempts"},
    {"infected-system", "malicious-code"},
    {"information-disclosure", "vulnerable"},
    {"malware", "other"},
    {"malware-configuration", "malicious-code"},
    {"malware-distribution", "malicious-code"},
    {"masquerade", "fraud"},
    {"misconfiguration", "availability"},
    {"other", "other"},
    {"outage", "availability"},
    {"phishing", "fraud"},
    {"potentially-unwanted-accessible", "vulnerable"},
    {"privileged-account-compromise", "intrusions"},
    {"proxy", "other"},
    {"sabotage", "availability"},
    {"scanner", "information-gathering"},
    {"sniffing", "information-gathering"},
    {"social-engineering", "information-gathering"},
    {"spam", "abusive-content"},
    {"system-compromise", "intrusions"},
    {"test", "test"},
    {"tor", "other"},
    {"unauthorised-information-access", "information-content-security"},
    {"unauthorised-information-modification", "information-content-security"},
    {"unauthorized-use-of-resources", "fraud"},
    {"undetermined", "other"},
    {"unprivileged-account-compromise", "intrusions"},
    {"violence", "abusive-content"},
    {"vulnerable-system", "vulnerable"},
    {"weak-crypto", "vulnerable"},
};

static_assert(std::is_sorted(std::begin(kTypeToTaxonomy), std::end(kTypeToTaxonomy)));

}  // namespace

std::optional<std::string_view> taxonomy_of(std::string_view type) {
    const auto* it = std::lower_bound(std::begin(kTypeToTaxonomy), std::end(kTypeToTaxonomy), type,
                                      [](const auto& row, std::string_view t) { return row.first < t; });
    if (it == std::end(kTypeToTaxonomy) || it->first != type) return std::nullopt;
    return it->second;
}

}  // namespace sluice::taxonomy
