// SPDX-License-Identifier: AGPL-3.0-or-later
// The harmonization types on the inputs that bite in real feeds.
#include <doctest/doctest.h>

#include <optional>
#include <regex>
#include <string>

#include "sluice/core/harmonization.hpp"
#include "types/field_types.hpp"

namespace {

// The value the type stores for `input`, or nullopt when it refuses it (sanitize, then validate).
std::optional<std::string> clean(const char* type, const std::string& input) {
    const sluice::FieldType* t = sluice::find_field_type(type);
    REQUIRE(t != nullptr);
    std::string out;
    if (!t->sanitize(input, out) || !t->is_valid(out)) return std::nullopt;
    return out;
}

}  // namespace

TEST_CASE("IPAddress: canonical forms and the repairs feeds need") {
    CHECK(clean("IPAddress", "192.0.2.1") == "192.0.2.1");
    CHECK(clean("IPAddress", " 192.0.2.1 ") == "192.0.2.1");
    CHECK(clean("IPAddress", "192.000.002.001") == "192.0.2.1");  // zero-padded
    CHECK(clean("IPAddress", "192.0.2.1/32") == "192.0.2.1");     // a one-host network
    CHECK(clean("IPAddress", "3221225985") == "192.0.2.1");       // integer-encoded
    CHECK(clean("IPAddress", "0.0.0.0") == "0.0.0.0");
    CHECK(clean("IPAddress", "2001:DB8:0:0:0:0:0:1") == "2001:db8::1");
    CHECK(clean("IPAddress", "2001:db8::1/128") == "2001:db8::1");
    CHECK_FALSE(clean("IPAddress", "192.0.2.0/24"));
    CHECK_FALSE(clean("IPAddress", "192.0.2"));
    CHECK_FALSE(clean("IPAddress", "999.1.1.1"));
    CHECK_FALSE(clean("IPAddress", "example.com"));
    CHECK_FALSE(sluice::find_field_type("IPAddress")->is_valid("192.000.002.001"));
}

TEST_CASE("IPNetwork: host bits cleared, prefix kept") {
    CHECK(clean("IPNetwork", "192.0.2.77/24") == "192.0.2.0/24");
    CHECK(clean("IPNetwork", "192.0.2.1") == "192.0.2.1/32");
    CHECK(clean("IPNetwork", "2001:db8::/32") == "2001:db8::/32");
    CHECK_FALSE(clean("IPNetwork", "192.0.2.0/33"));
}

TEST_CASE("FQDN: lower case, no trailing dot, not an IP") {
    CHECK(clean("FQDN", "WWW.Example.COM.") == "www.example.com");
    CHECK(clean("FQDN", "mail5.bulls.unisonplatform.com") == "mail5.bulls.unisonplatform.com");
    CHECK_FALSE(clean("FQDN", "192.0.2.1"));
    CHECK_FALSE(clean("FQDN", "a..b"));
    CHECK_FALSE(clean("FQDN", "has space.example"));
}

TEST_CASE("URL: scheme and host required, defanging undone") {
    CHECK(clean("URL", "hxxp://example.com/a") == "http://example.com/a");
    CHECK(clean("URL", "hxxps://example[.]com/") == "https://example.com/");
    CHECK(clean("URL", "http://192.0.2.1:8080/x?y=1") == "http://192.0.2.1:8080/x?y=1");
    CHECK_FALSE(clean("URL", "example.com/path"));
    CHECK_FALSE(clean("URL", "http:///nohost"));
    CHECK_FALSE(clean("URL", "http://exa mple.com/"));
}

TEST_CASE("DateTime: many inputs, one UTC ISO-8601 output") {
    CHECK(clean("DateTime", "2015-12-14 04:19:00") == "2015-12-14T04:19:00+00:00");
    CHECK(clean("DateTime", "2015-12-14T04:19:00Z") == "2015-12-14T04:19:00+00:00");
    CHECK(clean("DateTime", "2015-12-14T06:19:00+02:00") == "2015-12-14T04:19:00+00:00");
    CHECK(clean("DateTime", "2015-12-14T00:19:00-0400") == "2015-12-14T04:19:00+00:00");
    CHECK(clean("DateTime", "2015-12-14 04:19:00 UTC") == "2015-12-14T04:19:00+00:00");
    CHECK(clean("DateTime", "2015-12-14T04:19:00.5+00:00") == "2015-12-14T04:19:00.500000+00:00");
    CHECK(clean("DateTime", "2016-02-29") == "2016-02-29T00:00:00+00:00");
    CHECK_FALSE(clean("DateTime", "2015-02-29"));  // not a leap year
    CHECK_FALSE(clean("DateTime", "2026-13-41 07:23:09"));
    CHECK_FALSE(clean("DateTime", "yesterday"));
}

TEST_CASE("numbers: Integer, Float, Accuracy, ASN bounds") {
    CHECK(clean("Integer", " 42 ") == "42");
    CHECK(clean("Integer", "12.0") == "12");
    CHECK_FALSE(clean("Integer", "12.5"));
    CHECK(clean("Float", "1") == "1.0");
    CHECK(clean("Float", "0.25") == "0.25");
    CHECK(clean("Accuracy", "100") == "100.0");
    CHECK_FALSE(clean("Accuracy", "100.5"));
    CHECK(clean("ASN", "AS64496") == "64496");
    CHECK(clean("ASN", "4294967295") == "4294967295");
    CHECK_FALSE(clean("ASN", "0"));
    CHECK_FALSE(clean("ASN", "4294967296"));
    CHECK(clean("Boolean", "TRUE") == "true");
    CHECK_FALSE(clean("Boolean", "maybe"));
}

TEST_CASE("ClassificationType maps IntelMQ's legacy names") {
    CHECK(clean("ClassificationType", "C&C") == "c2-server");
    CHECK(clean("ClassificationType", "botnet drone") == "infected-system");
    CHECK(clean("ClassificationType", "Malware-Distribution") == "malware-distribution");
    CHECK_FALSE(clean("ClassificationType", "not-a-type"));
    CHECK(clean("ClassificationTaxonomy", "Malicious Code") == "malicious-code");
    CHECK(clean("TLP", "tlp:yellow") == "AMBER");
    CHECK(clean("Registry", "ripe-ncc") == "RIPE");
}

TEST_CASE("Base64 encodes plain text and JSONDict needs an object") {
    CHECK(clean("Base64", "hello\n") == "aGVsbG8K");
    CHECK(sluice::find_field_type("Base64")->is_valid("aGVsbG8K"));
    CHECK_FALSE(sluice::find_field_type("Base64")->is_valid("not base64!"));
    CHECK(clean("JSONDict", "{\"a\": 1}") == "{\"a\":1}");
    CHECK_FALSE(clean("JSONDict", "[1]"));
}

TEST_CASE("DateTime's fast canonical check agrees with parsing and writing again") {
    const sluice::FieldType* t = sluice::find_field_type("DateTime");
    for (const char* v : {"2015-12-14T04:19:00+00:00", "2016-02-29T23:59:59+00:00", "2015-12-14T04:19:00.500000+00:00",
                          "2015-02-29T04:19:00+00:00", "2015-12-14T24:00:00+00:00", "2015-12-14T04:19:00.000000+00:00",
                          "2015-12-14T04:19:00+01:00", "2015-12-14 04:19:00+00:00", "2015-12-14T04:19:00Z",
                          "2015-13-14T04:19:00+00:00", "2015-12-14T04:60:00+00:00"}) {
        std::string canonical;
        const bool expected = sluice::types::parse_datetime_utc(v, canonical) && canonical == v;
        CHECK_MESSAGE(t->is_valid(v) == expected, v);
    }
}

TEST_CASE("the regex shortcuts of the harmonization agree with std::regex") {
    const auto h = sluice::Harmonization::load(SLUICE_SOURCE_DIR "/conf/harmonization.toml");
    const sluice::FieldSpec* fqdn = h.find(sluice::MessageType::event, "source.fqdn");
    const sluice::FieldSpec* name = h.find(sluice::MessageType::event, "malware.name");
    REQUIRE(fqdn->shortcut == sluice::FieldSpec::Shortcut::no_trailing_dot);
    REQUIRE(name->shortcut == sluice::FieldSpec::Shortcut::printable_ascii);
    const std::regex no_dot("^.*[^\\.]$"), printable("^[ -~]+$");
    for (const char* v : {"example.com", "example.com.", "", ".", "a", "tab\there", "caf\xc3\xa9", "line\nbreak", "x~", "abc\n", "\n"}) {
        CHECK_MESSAGE(fqdn->matches(v) == std::regex_search(v, no_dot), v);
        CHECK_MESSAGE(name->matches(v) == std::regex_search(v, printable), v);
    }
}
