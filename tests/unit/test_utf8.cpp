// SPDX-License-Identifier: AGPL-3.0-or-later
// Invalid UTF-8 never leaves Sluice: repaired as Python's errors="replace" repairs it (the expected
// texts are what Python 3 gives for the same bytes), counted by the harmonization, repaired in
// every JSON string written, and quoted values in reasons bounded.
#include <doctest/doctest.h>

#include <string>

#include "sluice/core/defaults.hpp"
#include "sluice/core/message.hpp"
#include "sluice/core/utf8.hpp"

using sluice::Message;
using sluice::MessageType;
using sluice::SetResult;

namespace {

const std::string kReplacement = "\xEF\xBF\xBD";

std::string repaired(const std::string& bytes, size_t* replaced = nullptr) {
    std::string out;
    const size_t n = sluice::append_repaired_utf8(out, bytes);
    if (replaced) *replaced = n;
    return out;
}

const sluice::Harmonization& harmonization() {
    static const sluice::Harmonization h = sluice::Harmonization::load(sluice::default_harmonization_file());
    return h;
}

}  // namespace

TEST_CASE("invalid UTF-8 is repaired one U+FFFD per maximal invalid subpart, as Python replaces it") {
    struct Case {
        std::string bytes, expected;
        size_t replaced;
    };
    const std::string R = kReplacement;
    const Case cases[] = {
        {"caf\xe9", "caf" + R, 1},       // Latin-1
        {"\xc0\xaf", R + R, 2},          // overlong
        {"\xed\xa0\x80", R + R + R, 3},  // a surrogate
        {"a\xe2\x82", "a" + R, 1},       // truncated at the end
        {"\xf0\x9f\x98"
         "A",
         R + "A", 1},                                 // truncated before ASCII
        {"\xf4\x90\x80\x80", R + R + R + R, 4},       // past U+10FFFF
        {"\xe0\x80\x80", R + R + R, 3},               // overlong three bytes
        {"\xff\xfe", R + R, 2},                       // never in UTF-8
        {"ok \xe2\x82\xac", "ok \xe2\x82\xac", 0},    // the euro sign, valid
        {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", 0},  // an emoji, valid
    };
    for (const Case& c : cases) {
        CAPTURE(c.bytes);
        size_t n = 99;
        CHECK(repaired(c.bytes, &n) == c.expected);
        CHECK(n == c.replaced);
        CHECK(sluice::valid_utf8(c.bytes) == (c.replaced == 0));
        CHECK(sluice::valid_utf8(repaired(c.bytes)));
    }
}

TEST_CASE("the harmonization stores only valid UTF-8 and counts the values it repaired") {
    Message m(MessageType::event, harmonization());
    const uint64_t before = Message::repaired_values();
    CHECK(m.set("extra.note", "caf\xe9") == SetResult::ok);
    CHECK(m.find("extra.note")->text == "caf" + kReplacement);
    CHECK(m.set("source.fqdn", "www.example.org") == SetResult::ok);  // valid: untouched, not counted
    CHECK(m.set("extra",
                R"({"city":"K\u00f6ln","raw":"M)"
                "\xfc"
                R"(nchen"})",
                true, true) == SetResult::ok);
    CHECK(m.find("extra.city")->text == "K\xc3\xb6ln");
    CHECK(m.find("extra.raw")->text == "M" + kReplacement + "nchen");
    CHECK(Message::repaired_values() - before == 2);
    // A report's raw is the feed's bytes as they came, Base64-encoded: never repaired.
    Message report(MessageType::report, harmonization());
    CHECK(report.set("raw", "caf\xe9") == SetResult::ok);
    CHECK(report.find("raw")->text == "Y2Fm6Q==");
    CHECK(Message::repaired_values() - before == 2);
    std::string json;
    m.to_json(json);
    CHECK(sluice::valid_utf8(json));
}

TEST_CASE("every JSON string written is valid UTF-8, whatever bytes it was given") {
    std::string out;
    sluice::append_json_string(out, "a\"b\xe9\x01\xe2\x82\xac");
    CHECK(out == "\"a\\\"b" + kReplacement + "\\u0001\xe2\x82\xac\"");
    // A truncated sequence is one U+FFFD, as the harmonization's repair and Python count it.
    out.clear();
    sluice::append_json_string(out,
                               "\xf0\x9f\x98"
                               "A\xed\xa0\x80");
    CHECK(out == "\"" + kReplacement + "A" + kReplacement + kReplacement + kReplacement + "\"");
    // Long runs of ASCII with one bad byte past the sixteen-byte blocks.
    out.clear();
    sluice::append_json_string(out, std::string(40, 'x') + "\x80" + std::string(3, 'y'));
    CHECK(out == "\"" + std::string(40, 'x') + kReplacement + "yyy\"");
}

TEST_CASE("a reason quotes at most a bounded prefix of a value, cut on a character boundary") {
    CHECK(sluice::quote_prefix("short") == "short");
    const std::string huge = std::string(199, 'a') + "\xe2\x82\xac" + std::string(10 << 20, 'b');
    const std::string q = sluice::quote_prefix(huge);
    CHECK(q == std::string(199, 'a') + "… (" + std::to_string(huge.size()) + " bytes)");
    CHECK(sluice::valid_utf8(q));

    Message m(MessageType::event, harmonization());
    std::string why;
    CHECK(m.set("source.ip", std::string(10 << 20, '9'), true, false, &why) == SetResult::invalid);
    CHECK(why.size() < 400);
    CHECK(why.find("(10485760 bytes)") != std::string::npos);
}
