// SPDX-License-Identifier: AGPL-3.0-or-later
// The harmonization types on the inputs that bite in real feeds.
#include <doctest/doctest.h>

#include <optional>
#include <regex>
#include <string>

#include "sluice/core/harmonization.hpp"
#include "types/base64.hpp"
#include "types/field_types.hpp"

namespace {

const sluice::FieldType& type(const char* name) {
    const sluice::FieldType* t = sluice::find_field_type(name);
    REQUIRE(t != nullptr);
    return *t;
}

bool valid(const char* name, const std::string& v) { return type(name).is_valid(v); }

// The value the type stores for `input`, or nullopt when it refuses it (sanitize, then validate).
std::optional<std::string> clean(const char* type, const std::string& input) {
    const sluice::FieldType* t = sluice::find_field_type(type);
    REQUIRE(t != nullptr);
    std::string out;
    if (!t->sanitize(input, out) || !t->is_valid(out)) return std::nullopt;
    return out;
}

// IntelMQ's is_valid(value, sanitize=True).
bool valid_sanitized(const char* name, const std::string& v) { return clean(name, v).has_value(); }

std::optional<std::string> convert(bool (*f)(std::string_view, std::string&), std::string_view v) {
    std::string out;
    if (!f(v, out)) return std::nullopt;
    return out;
}

}  // namespace

TEST_CASE("IPAddress: canonical forms and the repairs feeds need") {
    CHECK(clean("IPAddress", "192.0.2.1") == "192.0.2.1");
    CHECK(clean("IPAddress", " 192.0.2.1 ") == "192.0.2.1");
    CHECK(clean("IPAddress", "192.000.002.001") == "192.0.2.1");  // zero-padded
    CHECK(clean("IPAddress", "192.0.2.1/32") == "192.0.2.1");     // a one-host network
    CHECK(clean("IPAddress", "3221225985") == "192.0.2.1");       // integer-encoded
    CHECK_FALSE(clean("IPAddress", "0.0.0.0"));                   // IntelMQ: not a valid address
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
    CHECK(clean("FQDN", "has space.example") == "has space.example");  // IntelMQ's FQDN allows it
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
    CHECK(clean("DateTime", "2015-12-14T04:19:00.5+00:00") == "2015-12-14T04:19:00.5+00:00");  // from_isoformat: kept
    CHECK(clean("DateTime", "2015-12-14T04:19:00.5+01:00") == "2015-12-14T03:19:00.500000+00:00");
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
    for (const char* v : {"example.com", "example.com.", "", ".", "a", "tab\there", "caf\xc3\xa9", "line\nbreak", "x~",
                          "abc\n", "\n"}) {
        CHECK_MESSAGE(fqdn->matches(v) == std::regex_search(v, no_dot), v);
        CHECK_MESSAGE(name->matches(v) == std::regex_search(v, printable), v);
    }
}

// ---- IntelMQ's intelmq/tests/lib/test_harmonization.py, ported. Python values that are not strings
// (True, 1337, b'...', dicts) arrive in Sluice as their JSON text, so those cases use that text.

TEST_CASE("IntelMQ: Boolean") {
    CHECK(valid("Boolean", "true"));
    CHECK(valid("Boolean", "false"));
    CHECK_FALSE(valid("Boolean", "True"));
    CHECK_FALSE(valid("Boolean", "0"));
    CHECK_FALSE(valid("Boolean", "1"));
    CHECK_FALSE(valid("Boolean", ""));
    CHECK(clean("Boolean", "0") == "false");
    CHECK(clean("Boolean", "1") == "true");
    CHECK(clean("Boolean", "true") == "true");
    CHECK(clean("Boolean", "false") == "false");
    CHECK(clean("Boolean", " False ") == "false");
    CHECK_FALSE(valid_sanitized("Boolean", "test"));
    CHECK_FALSE(valid_sanitized("Boolean", ""));
    CHECK_FALSE(valid_sanitized("Boolean", "yes"));  // only 'true'/'false' and 0/1
}

TEST_CASE("IntelMQ: Integer") {
    CHECK(valid("Integer", "-4532"));
    CHECK(valid("Integer", "1337"));
    CHECK_FALSE(valid("Integer", "true"));
    CHECK(clean("Integer", "-4532") == "-4532");
    CHECK(clean("Integer", "true") == "1");
    CHECK(clean("Integer", "1337") == "1337");
    CHECK(clean("Integer", " 1337") == "1337");
    CHECK(clean("Integer", "1_337") == "1337");
    CHECK_FALSE(valid_sanitized("Integer", ""));
    CHECK_FALSE(valid_sanitized("Integer", "b13"));
}

TEST_CASE("IntelMQ: Float") {
    CHECK(valid("Float", "-4532.0"));
    CHECK(valid("Float", "1337.2354"));
    CHECK(valid("Float", "0.0013234"));
    CHECK_FALSE(valid("Float", "true"));
    CHECK(clean("Float", "-4532.234") == "-4532.234");
    CHECK(clean("Float", "13.234e-4") == "0.0013234");
    CHECK(clean("Float", "true") == "1.0");
    CHECK(clean("Float", "+137.23") == "137.23");
    CHECK(clean("Float", " 1337.2") == "1337.2");
    CHECK(clean("Float", "3.31e+3") == "3310.0");
    CHECK(clean("Float", "-31.e-2") == "-0.31");
    CHECK_FALSE(valid_sanitized("Float", ""));
    CHECK_FALSE(valid_sanitized("Float", "b13.23"));
    // repr(float)
    CHECK(sluice::types::python_float_repr(1e16) == "1e+16");
    CHECK(sluice::types::python_float_repr(1e15) == "1000000000000000.0");
    CHECK(sluice::types::python_float_repr(0.0001) == "0.0001");
    CHECK(sluice::types::python_float_repr(0.00001) == "1e-05");
    CHECK(sluice::types::python_float_repr(-1.5e-7) == "-1.5e-07");
    CHECK(sluice::types::python_float_repr(123.0) == "123.0");
    CHECK(sluice::types::python_float_repr(1.2345e20) == "1.2345e+20");
}

TEST_CASE("IntelMQ: Accuracy") {
    CHECK(clean("Accuracy", "true") == "100.0");
    CHECK(clean("Accuracy", "false") == "0.0");
    CHECK(clean("Accuracy", "50") == "50.0");
    CHECK_FALSE(valid_sanitized("Accuracy", "-1"));
    CHECK_FALSE(valid_sanitized("Accuracy", "101"));
    CHECK_FALSE(valid("Accuracy", "100.5"));
}

TEST_CASE("IntelMQ: IPAddress") {
    CHECK(valid("IPAddress", "192.0.2.1"));
    CHECK(valid("IPAddress", "::1"));
    CHECK(valid("IPAddress", "2001:500:88:200::8"));
    CHECK_FALSE(valid("IPAddress", "192.0.2.1/24"));
    CHECK_FALSE(valid("IPAddress", "2001:DB8::/32"));
    CHECK_FALSE(valid("IPAddress", "localhost"));
    CHECK_FALSE(valid("IPAddress", "fe80::1c41:b16d:ff5e:689d%bnep0"));
    CHECK_FALSE(valid("IPAddress", "0.0.0.0"));
    CHECK(clean("IPAddress", " 192.0.2.1\r\n") == "192.0.2.1");
    CHECK(clean("IPAddress", "2001:DB8::1") == "2001:db8::1");
    CHECK(clean("IPAddress", "fe80::1c41:b16d:ff5e:689d%bnep0") == "fe80::1c41:b16d:ff5e:689d");
    CHECK(clean("IPAddress", "2130706433") == "127.0.0.1");
    CHECK_FALSE(valid_sanitized("IPAddress", " 192.0.2.0/24\r\n"));
    CHECK_FALSE(valid_sanitized("IPAddress", "2001:DB8::1/32"));
    // str() of Python's ipaddress
    CHECK(clean("IPAddress", "::ffff:1.2.3.4") == "::ffff:102:304");
    CHECK(clean("IPAddress", "::1.2.3.4") == "::102:304");
    CHECK(clean("IPAddress", "2001:db8:0:1:1:1:1:1") == "2001:db8:0:1:1:1:1:1");  // one zero group stays
    CHECK(clean("IPAddress", "2001:0:0:1:0:0:0:1") == "2001:0:0:1::1");           // the longest run
    CHECK(clean("IPAddress", "2001:db8:0:0:1:0:0:1") == "2001:db8::1:0:0:1");     // the first of equals
    CHECK(clean("IPAddress", "4294967296") == "::1:0:0");                         // past 2^32: IPv6
    CHECK(clean("IPAddress", "192.0.2.1/255.255.255.255") == "192.0.2.1");
    CHECK(clean("IPAddress", "192.0.2.1/032") == "192.0.2.1");
    CHECK_FALSE(clean("IPAddress", "0"));
    CHECK_FALSE(clean("IPAddress", "-1"));
    CHECK_FALSE(clean("IPAddress", "0127"));
    CHECK_FALSE(clean("IPAddress", "340282366920938463463374607431768211456"));  // 2^128
    CHECK_FALSE(clean("IPAddress", "10.1"));                                     // short IPv4
    CHECK_FALSE(clean("IPAddress", "127.1"));
    CHECK_FALSE(valid("IPAddress", "010.1.1.1"));
}

TEST_CASE("IntelMQ: IPNetwork") {
    CHECK(valid("IPNetwork", "192.0.2.1"));
    CHECK(valid("IPNetwork", "::1"));
    CHECK(valid("IPNetwork", "192.0.2.0/24"));
    CHECK(valid("IPNetwork", "2001:DB8::/32"));
    CHECK(valid("IPNetwork", "2001:500:88:200::8"));
    CHECK_FALSE(valid("IPNetwork", "localhost"));
    CHECK_FALSE(valid("IPNetwork", "192.0.2.1/37"));
    CHECK_FALSE(valid("IPNetwork", "192.0.2.1/0"));
    CHECK_FALSE(valid("IPNetwork", "2001:DB8::/130"));
    CHECK(clean("IPNetwork", " 192.0.2.0/24\r\n") == "192.0.2.0/24");
    CHECK(clean("IPNetwork", "2001:DB8::/32") == "2001:db8::/32");
    CHECK(clean("IPNetwork", "127.0.0.1/32") == "127.0.0.1/32");
    CHECK(clean("IPNetwork", "192.0.2.0/32") == "192.0.2.0/32");
    CHECK(clean("IPNetwork", "192.0.2.77/255.255.255.0") == "192.0.2.0/24");
    CHECK(clean("IPNetwork", "192.0.2.77/0.0.0.255") == "192.0.2.0/24");
    CHECK_FALSE(valid_sanitized("IPNetwork", " 192.0.2.0/-4\r\n"));
    CHECK_FALSE(valid_sanitized("IPNetwork", "2001:DB8Z::1/7"));
    CHECK_FALSE(valid_sanitized("IPNetwork", "192.0.2.0/255.0.255.0"));
}

TEST_CASE("IntelMQ: DateTime") {
    CHECK(valid("DateTime", "2015-08-31T08:16:10+00:00"));
    CHECK(valid("DateTime", "2015-08-31T08:16:10.1234+00:00"));
    CHECK_FALSE(valid("DateTime", "2015-08-31T08:16:10+05:00"));
    CHECK_FALSE(valid("DateTime", "2015-08-31T08:16:10.1234+05:00"));
    CHECK_FALSE(valid("DateTime", "2015-08-31T36:16:10+00:00"));
    CHECK_FALSE(valid("DateTime", "0018005550199"));
    CHECK_FALSE(valid_sanitized("DateTime", "0018005550199"));
    using namespace sluice::types;
    CHECK(convert(datetime_from_epoch_millis, "1441008970") == "2015-08-31T08:16:10+00:00");
    CHECK(convert(datetime_from_epoch_millis, "1441008970123") == "2015-08-31T08:16:10+00:00");
    CHECK(convert(datetime_from_epoch_millis, "144100897012") == "2015-08-31T08:16:10+00:00");
    CHECK_FALSE(convert(datetime_from_epoch_millis, "14410089701"));
    CHECK(convert(datetime_from_timestamp, "1441008970") == "2015-08-31T08:16:10+00:00");
    CHECK(convert(datetime_from_timestamp, "1441008970.5") == "2015-08-31T08:16:10.500000+00:00");
    CHECK_FALSE(convert(datetime_from_timestamp, "abc"));
    CHECK(convert(datetime_from_windows_nt, "129410017915727600") == "2011-02-01T02:43:11.572760+00:00");
    CHECK(clean("DateTime", "2016-07-19 06:40:01.617719+02:00 UTC") == "2016-07-19T04:40:01.617719+00:00");
    CHECK(clean("DateTime", "2016-07-19 13:08:38 UTC") == "2016-07-19T13:08:38+00:00");
    // from_isoformat: kept as written
    CHECK(clean("DateTime", "2020-12-31T12:00:00+00:00") == "2020-12-31T12:00:00+00:00");
    CHECK(clean("DateTime", "2020-12-31T12:00:00.001+00:00") == "2020-12-31T12:00:00.001+00:00");
    // strptime's one-digit fields and case-insensitive literals
    CHECK(valid("DateTime", "2020-1-5T1:2:3+00:00"));
    CHECK(valid("DateTime", "2020-12-31t12:00:00+00:00"));
    CHECK_FALSE(valid("DateTime", "2020-02-30T12:00:00+00:00"));
    CHECK_FALSE(valid("DateTime", "2020-12-31T12:00:60+00:00"));
    CHECK_FALSE(valid("DateTime", "2020-12-31T12:00:00.1234567+00:00"));
    CHECK_FALSE(valid("DateTime", "2020-12-31T12:00+00:00"));
    // ISO variants with zones
    CHECK(clean("DateTime", "2020-12-31T23:30:00-01:00") == "2021-01-01T00:30:00+00:00");
    CHECK(clean("DateTime", "2020-12-31T12:00:00+0530") == "2020-12-31T06:30:00+00:00");
    CHECK(clean("DateTime", "2020-12-31T12:00:00+05") == "2020-12-31T07:00:00+00:00");
    CHECK(clean("DateTime", "2020-12-31 12:00:00 GMT") == "2020-12-31T12:00:00+00:00");
    CHECK(clean("DateTime", "2020-12-31T12:00:00Z") == "2020-12-31T12:00:00+00:00");
}

TEST_CASE("IntelMQ: FQDN") {
    CHECK(valid("FQDN", "ex-am.ple.example"));
    CHECK(valid("FQDN", "example.org"));
    CHECK(valid("FQDN", "sub_sub2.example.net"));
    CHECK(valid("FQDN", "xn--1-0ga.at"));
    CHECK(valid("FQDN", "212.156.101.43.00-ebgp-atakoy1-k.301-fra-col-1.statik.turktelekom.com.tr"));
    CHECK_FALSE(valid("FQDN", "ex-am.ple.example."));
    CHECK_FALSE(valid("FQDN", "exAmple.com"));
    CHECK_FALSE(valid("FQDN",
                      "\xc3\xb6"
                      "1.at"));  // ö1.at
    CHECK_FALSE(valid("FQDN", "n/a"));
    CHECK_FALSE(valid("FQDN", "."));
    CHECK_FALSE(valid("FQDN", ".example.com"));
    CHECK_FALSE(valid("FQDN", "10.0.0.1:8080"));
    CHECK_FALSE(valid("FQDN", "..."));
    CHECK_FALSE(valid("FQDN", ""));
    CHECK(clean("FQDN", "example.example.") == "example.example");
    CHECK(clean("FQDN", "example.net") == "example.net");
    CHECK(clean("FQDN", "exAmple.net") == "example.net");
    CHECK(clean("FQDN",
                "\xc3\xb6"
                "1.at") == "xn--1-0ga.at");
    CHECK(clean("FQDN", "212.156.101.43.00-ebgp-atakoy1-k.301-fra-col-1.statik.turktelekom.com.tr") ==
          "212.156.101.43.00-ebgp-atakoy1-k.301-fra-col-1.statik.turktelekom.com.tr");
    CHECK(clean("FQDN", ".example.com") == "example.com");
    CHECK_FALSE(clean("FQDN", "{subid_3}&aff_sub4={subid_4}&aff_sub5={subid_5}&DOM=trackingmyli"));
    // IDNA
    CHECK(clean("FQDN", "ex\xc3\xa4mple.com") == "xn--exmple-cua.com");
    CHECK(clean("FQDN", "EX\xc3\x84MPLE.COM") == "xn--exmple-cua.com");
    CHECK(clean("FQDN",
                "www.\xc3\xb6"
                "1.at") == "www.xn--1-0ga.at");
    CHECK(clean("FQDN",
                "\xc3\xb6"
                "1\xe3\x80\x82"
                "at") == "xn--1-0ga.at");  // ideographic full stop
    CHECK(clean("FQDN",
                "stra\xc3\x9f"
                "e.de") == "strasse.de");  // IDNA 2003 maps ß
    CHECK_FALSE(clean("FQDN", "\xc3\xb6..at"));
    CHECK_FALSE(clean("FQDN", std::string(64, 'a') + ".com"));
    CHECK(clean("FQDN", std::string(63, 'a') + ".com") == std::string(63, 'a') + ".com");
    CHECK_FALSE(clean("FQDN", "example.com/path"));
    CHECK_FALSE(clean("FQDN", "example.com?q"));
}

TEST_CASE("IntelMQ: URL") {
    CHECK(valid("URL", "http://example.com"));
    CHECK(valid("URL", "http://example.com/foo"));
    CHECK(valid("URL", "file://localhost/etc/hosts"));
    CHECK_FALSE(valid("URL", "example.com"));
    CHECK_FALSE(valid("URL", " http://example.com"));
    CHECK_FALSE(valid("URL", "file:///etc/hosts"));
    CHECK(clean("URL", "http://example.com") == "http://example.com");
    CHECK(clean("URL", "hxxps://example.com/foo") == "https://example.com/foo");
    CHECK(clean("URL", "file:///etc/hosts") == "file://localhost/etc/hosts");
    CHECK(clean("URL", " http://example.com") == "http://example.com");
    CHECK_FALSE(valid_sanitized("URL", "example.com"));
    CHECK_FALSE(valid_sanitized("URL", "http://"));
}

TEST_CASE("IntelMQ: ASN") {
    CHECK(valid("ASN", "123"));
    CHECK(valid("ASN", "1234567"));
    CHECK_FALSE(valid("ASN", "4294967296"));
    CHECK_FALSE(valid("ASN", "0"));
    CHECK_FALSE(valid("ASN", "foo"));
    CHECK(clean("ASN", "1234") == "1234");
    CHECK(clean("ASN", "AS1234") == "1234");
    CHECK(clean("ASN", "as1234") == "1234");
    CHECK_FALSE(valid_sanitized("ASN", "0"));
    CHECK_FALSE(valid_sanitized("ASN", "asd"));
    CHECK_FALSE(valid_sanitized("ASN", "-1"));
    CHECK_FALSE(valid_sanitized("ASN", "4294967296"));
}

TEST_CASE("IntelMQ: JSON and JSONDict") {
    CHECK(valid("JSON", "{\"foo\": \"bar\"}"));
    CHECK(valid("JSON", "\"foo\""));
    CHECK_FALSE(valid("JSON", "{"));
    CHECK_FALSE(valid("JSON", "[\"foo\", ]"));
    CHECK(clean("JSON", "{\"foo\": \"bar\"}") == "{\"foo\": \"bar\"}");  // valid JSON is kept as written
    CHECK(clean("JSON", " [1, 2] ") == "[1, 2]");
    CHECK(clean("JSON", "plain text") == "\"plain text\"");                 // json.dumps(str)
    CHECK(clean("JSON", "ex\xc3\xa4m\"ple\n") == "\"ex\\u00e4m\\\"ple\"");  // stripped, ensure_ascii
    CHECK(clean("JSON", "\xf0\x9f\x98\x80") == "\"\\ud83d\\ude00\"");
    CHECK(clean("JSON", "tab\tdel\x7f bell\x07") == "\"tab\\tdel\\u007f bell\\u0007\"");  // only ' '..'~' bare
    CHECK(valid("JSONDict", "{\"foo\": \"bar\"}"));
    CHECK_FALSE(valid("JSONDict", "{}"));
    CHECK_FALSE(valid("JSONDict", "\"example\""));
    CHECK(valid_sanitized("JSONDict", "{\"foo\": \"bar\"}"));
    CHECK_FALSE(valid_sanitized("JSONDict", "{}"));
}

TEST_CASE("IntelMQ: LowercaseString, UppercaseString, String") {
    CHECK(valid("LowercaseString", "foobar"));
    CHECK_FALSE(valid("LowercaseString", "fooBar"));
    CHECK(clean("LowercaseString", "fooBar") == "foobar");
    CHECK(clean("LowercaseString", " fooBar\n") == "foobar");
    CHECK(valid("UppercaseString", "FOOBAR"));
    CHECK_FALSE(valid("UppercaseString", "fooBar"));
    CHECK(clean("UppercaseString", "fooBar") == "FOOBAR");
    CHECK(clean("String", " text \r\n") == "text");
    CHECK(clean("String", "\xc2\xa0text\xe3\x80\x80") == "text");  // Python strips Unicode spaces
    CHECK_FALSE(clean("String", "  "));
}

TEST_CASE("IntelMQ: Registry and TLP") {
    CHECK(valid("Registry", "RIPE"));
    CHECK(valid_sanitized("Registry", "lacnic"));
    CHECK(valid_sanitized("Registry", "RIPE-NCC"));
    CHECK(valid_sanitized("Registry", "RIPENCC"));
    CHECK_FALSE(valid("Registry", "RIPE-NCC"));
    CHECK_FALSE(valid("Registry", "RIPENCC"));
    CHECK(clean("Registry", "ripe-ncc") == "RIPE");
    CHECK(valid("TLP", "WHITE"));
    CHECK_FALSE(valid("TLP", "green"));
    CHECK(valid_sanitized("TLP", "TLP:RED"));
    CHECK(valid_sanitized("TLP", "red "));
    CHECK(valid_sanitized("TLP", "tlp amber "));
    CHECK(clean("TLP", "tlp:amber") == "AMBER");
    CHECK(clean("TLP", "tlp amber") == "AMBER");
    CHECK(clean("TLP", "YELLOW") == "AMBER");
    CHECK_FALSE(valid("TLP", "TLP AMBER"));
    CHECK_FALSE(valid_sanitized("TLP", "TLP :RED"));
}

TEST_CASE("IntelMQ: ClassificationType and ClassificationTaxonomy") {
    CHECK(valid("ClassificationType", "infected-system"));
    CHECK_FALSE(valid("ClassificationType", "foobar"));
    CHECK(valid_sanitized("ClassificationType", "Infected-system"));
    CHECK(valid_sanitized("ClassificationType", "infected system "));
    CHECK(clean("ClassificationType", "dga domain") == "dga-domain");
    CHECK(clean("ClassificationType", "unauthorized-command") == "system-compromise");
    CHECK(clean("ClassificationType", "unauthorized-login") == "system-compromise");
    CHECK(clean("ClassificationType", "compromised") == "system-compromise");
    CHECK(clean("ClassificationType", "defacement") == "unauthorised-information-modification");
    CHECK(clean("ClassificationType", "backdoor") == "system-compromise");
    CHECK_FALSE(valid("ClassificationType", "botnet-drone"));
    CHECK_FALSE(valid("ClassificationType", "botnet drone"));
    CHECK(valid("ClassificationTaxonomy", "abusive-content"));
    CHECK_FALSE(valid("ClassificationTaxonomy", "abusive content"));
    CHECK(clean("ClassificationTaxonomy", "abusive content") == "abusive-content");
}

TEST_CASE("IntelMQ: Base64") {
    CHECK(clean("Base64", "foo") == "Zm9v");
    CHECK(clean("Base64", "ex\xc3\xa4mple") == "ZXjDpG1wbGU=");
    CHECK(valid("Base64", "Zm9v"));
    CHECK_FALSE(valid("Base64", ""));
}

TEST_CASE("Base64 encodes every length and byte value so that decoding gives the text back") {
    // Bytes of every value, in lengths that end on each of the three remainders, around the block
    // boundaries of the encoder.
    std::string text;
    for (int i = 0; i < 1000; ++i) text += static_cast<char>((i * 151 + 7) % 256);
    const auto* type = sluice::find_field_type("Base64");
    for (size_t length : {0, 1, 2, 3, 4, 5, 6, 7, 63, 64, 65, 998, 999, 1000}) {
        const std::string plain = text.substr(0, length);
        const std::string encoded = sluice::base64_encode(plain);
        CAPTURE(length);
        CHECK(encoded.size() == (length + 2) / 3 * 4);
        CHECK(sluice::base64_valid(encoded));
        std::string decoded;
        REQUIRE(sluice::base64_decode(encoded, decoded));
        CHECK(decoded == plain);
        if (length > 0) CHECK(type->is_valid(encoded));
    }
    CHECK(sluice::base64_encode("ex\xc3\xa4mple") == "ZXjDpG1wbGU=");
    CHECK(sluice::base64_encode("fo") == "Zm8=");
    CHECK(sluice::base64_encode("f") == "Zg==");
    CHECK(sluice::base64_encode("\xff\xff\xff") == "////");
}

TEST_CASE("base64_valid refuses a bad character anywhere, misplaced padding and a cut length") {
    const std::string good = sluice::base64_encode(std::string(300, 'x'));
    REQUIRE(sluice::base64_valid(good));
    for (size_t at : {size_t{0}, size_t{1}, good.size() / 2, good.size() - 1}) {
        for (char bad : {'!', ' ', '\n', '-', '_', '\0', '\x80'}) {
            std::string text = good;
            text[at] = bad;
            CAPTURE(at);
            CAPTURE(static_cast<int>(bad));
            CHECK_FALSE(sluice::base64_valid(text));
        }
    }
    CHECK_FALSE(sluice::base64_valid(good.substr(1)));
    CHECK_FALSE(sluice::base64_valid("Zg=a"));
    CHECK_FALSE(sluice::base64_valid("Z==="));
    CHECK_FALSE(sluice::base64_valid("=Zg="));
    CHECK(sluice::base64_valid("Zg=="));
    CHECK(sluice::base64_valid(""));  // the empty text is valid base64; the Base64 type refuses it
}
