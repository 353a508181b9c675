// SPDX-License-Identifier: AGPL-3.0-or-later
#include "harmonization_types.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace sluice::sieve {
namespace {

// IntelMQ 3.3's event harmonization (harmonization.conf), key -> type, sorted by key.
constexpr std::pair<std::string_view, std::string_view> kEventTypes[] = {
    {"classification.identifier", "String"},
    {"classification.taxonomy", "ClassificationTaxonomy"},
    {"classification.type", "ClassificationType"},
    {"comment", "String"},
    {"destination.abuse_contact", "LowercaseString"},
    {"destination.account", "String"},
    {"destination.allocated", "DateTime"},
    {"destination.as_name", "String"},
    {"destination.asn", "ASN"},
    {"destination.domain_suffix", "FQDN"},
    {"destination.fqdn", "FQDN"},
    {"destination.geolocation.cc", "UppercaseString"},
    {"destination.geolocation.city", "String"},
    {"destination.geolocation.country", "String"},
    {"destination.geolocation.latitude", "Float"},
    {"destination.geolocation.longitude", "Float"},
    {"destination.geolocation.region", "String"},
    {"destination.geolocation.state", "String"},
    {"destination.ip", "IPAddress"},
    {"destination.local_hostname", "String"},
    {"destination.local_ip", "IPAddress"},
    {"destination.network", "IPNetwork"},
    {"destination.port", "Integer"},
    {"destination.registry", "Registry"},
    {"destination.reverse_dns", "FQDN"},
    {"destination.tor_node", "Boolean"},
    {"destination.url", "URL"},
    {"destination.urlpath", "String"},
    {"event_description.target", "String"},
    {"event_description.text", "String"},
    {"event_description.url", "URL"},
    {"event_hash", "UppercaseString"},
    {"extra", "JSONDict"},
    {"feed.accuracy", "Accuracy"},
    {"feed.code", "String"},
    {"feed.documentation", "String"},
    {"feed.name", "String"},
    {"feed.provider", "String"},
    {"feed.url", "URL"},
    {"malware.hash.md5", "String"},
    {"malware.hash.sha1", "String"},
    {"malware.hash.sha256", "String"},
    {"malware.name", "LowercaseString"},
    {"malware.version", "String"},
    {"misp.attribute_uuid", "LowercaseString"},
    {"misp.event_uuid", "LowercaseString"},
    {"output", "JSON"},
    {"protocol.application", "LowercaseString"},
    {"protocol.transport", "LowercaseString"},
    {"raw", "Base64"},
    {"rtir_id", "Integer"},
    {"screenshot_url", "URL"},
    {"source.abuse_contact", "LowercaseString"},
    {"source.account", "String"},
    {"source.allocated", "DateTime"},
    {"source.as_name", "String"},
    {"source.asn", "ASN"},
    {"source.domain_suffix", "FQDN"},
    {"source.fqdn", "FQDN"},
    {"source.geolocation.cc", "UppercaseString"},
    {"source.geolocation.city", "String"},
    {"source.geolocation.country", "String"},
    {"source.geolocation.cymru_cc", "UppercaseString"},
    {"source.geolocation.geoip_cc", "UppercaseString"},
    {"source.geolocation.latitude", "Float"},
    {"source.geolocation.longitude", "Float"},
    {"source.geolocation.region", "String"},
    {"source.geolocation.state", "String"},
    {"source.ip", "IPAddress"},
    {"source.local_hostname", "String"},
    {"source.local_ip", "IPAddress"},
    {"source.network", "IPNetwork"},
    {"source.port", "Integer"},
    {"source.registry", "Registry"},
    {"source.reverse_dns", "FQDN"},
    {"source.tor_node", "Boolean"},
    {"source.url", "URL"},
    {"source.urlpath", "String"},
    {"status", "String"},
    {"time.observation", "DateTime"},
    {"time.source", "DateTime"},
    {"tlp", "TLP"},
};

static_assert(std::is_sorted(std::begin(kEventTypes), std::end(kEventTypes)));

}  // namespace

std::optional<std::string_view> event_key_type(std::string_view key) {
    const auto* it = std::lower_bound(std::begin(kEventTypes), std::end(kEventTypes), key,
                                      [](const auto& row, std::string_view k) { return row.first < k; });
    if (it == std::end(kEventTypes) || it->first != key) return std::nullopt;
    return it->second;
}

bool is_numeric_type(std::string_view type) {
    return type == "Integer" || type == "Float" || type == "Accuracy" || type == "ASN";
}

}  // namespace sluice::sieve
