// SPDX-License-Identifier: AGPL-3.0-or-later
// IntelMQ's classification and registry value lists (intelmq/lib/harmonization.py, 3.3), generated from
// ../shared/conformance/intelmq/classification.json. Keep in step with that file, not by hand.
#include "types/classification_tables.hpp"

namespace sluice::tables {

const std::vector<std::string_view> classification_types = {
    "application-compromise",
    "blacklist",
    "brute-force",
    "burglary",
    "c2-server",
    "copyright",
    "data-leak",
    "data-loss",
    "ddos",
    "ddos-amplifier",
    "dga-domain",
    "dos",
    "exploit",
    "harmful-speech",
    "ids-alert",
    "infected-system",
    "information-disclosure",
    "malware",
    "malware-configuration",
    "malware-distribution",
    "masquerade",
    "misconfiguration",
    "other",
    "outage",
    "phishing",
    "potentially-unwanted-accessible",
    "privileged-account-compromise",
    "proxy",
    "sabotage",
    "scanner",
    "sniffing",
    "social-engineering",
    "spam",
    "system-compromise",
    "test",
    "tor",
    "unauthorised-information-access",
    "unauthorised-information-modification",
    "unauthorized-use-of-resources",
    "undetermined",
    "unprivileged-account-compromise",
    "violence",
    "vulnerable-system",
    "weak-crypto",
};

const std::vector<std::string_view> classification_taxonomies = {
    "abusive-content",
    "availability",
    "fraud",
    "information-content-security",
    "information-gathering",
    "intrusion-attempts",
    "intrusions",
    "malicious-code",
    "other",
    "test",
    "vulnerable",
};

const std::vector<std::pair<std::string_view, std::string_view>> type_to_taxonomy = {
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

const std::vector<std::pair<std::string_view, std::string_view>> legacy_types = {
    {"botnet drone", "infected-system"},
    {"ids alert", "ids-alert"},
    {"c&c", "c2-server"},
    {"c2server", "c2-server"},
    {"infected system", "infected-system"},
    {"malware configuration", "malware-configuration"},
    {"vulnerable client", "vulnerable-system"},
    {"vulnerable service", "vulnerable-system"},
    {"leak", "data-leak"},
    {"ransomware", "infected-system"},
    {"unknown", "undetermined"},
    {"dga domain", "dga-domain"},
    {"unauthorized-login", "system-compromise"},
    {"unauthorized-command", "system-compromise"},
    {"compromised", "system-compromise"},
    {"defacement", "unauthorised-information-modification"},
    {"backdoor", "system-compromise"},
    {"dropzone", "other"},
};

const std::vector<std::pair<std::string_view, std::string_view>> legacy_taxonomies = {
    {"abusive content", "abusive-content"},
    {"information gathering", "information-gathering"},
    {"intrusion attempts", "intrusion-attempts"},
    {"malicious code", "malicious-code"},
};

const std::vector<std::string_view> registries = {
    "AFRINIC", "APNIC", "ARIN", "LACNIC", "RIPE",
};

const std::vector<std::pair<std::string_view, std::string_view>> registry_aliases = {
    {"RIPENCC", "RIPE"},
    {"RIPE-NCC", "RIPE"},
};

const std::vector<std::string_view> tlp_levels = {
    "WHITE",
    "GREEN",
    "AMBER",
    "RED",
};

}  // namespace sluice::tables
