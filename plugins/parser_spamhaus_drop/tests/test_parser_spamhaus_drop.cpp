// SPDX-License-Identifier: AGPL-3.0-or-later
// parser_spamhaus_drop through the real host code: the DROP and ASN-DROP formats, Last-Modified,
// lists known by URL or by shape, bad lines failed one by one.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <sluice/codec.hpp>
#include <sluice/core/bot_harness.hpp>

#include <string>

#include "../http_date.hpp"
#include "test_support.hpp"

namespace {

using sluice::BotHarness;

std::string field(const std::string& json, const char* key) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE(d.IsObject());
    if (!d.HasMember(key)) return "<absent>";
    if (d[key].IsString()) return d[key].GetString();
    if (d[key].IsInt64()) return std::to_string(d[key].GetInt64());
    return "<other>";
}

std::string report(const std::string& url, const std::string& text) {
    std::string r = R"({"__type":"Report","feed.name":"Spamhaus","time.observation":"2016-11-29T17:26:00+00:00",)";
    if (!url.empty()) r += R"("feed.url":")" + url + "\",";
    return r + R"("raw":")" + sluice::base64::encode(text) + "\"}";
}

const std::string kDrop =
    "; Spamhaus DROP List 2015/09/14 - (c) 2015 The Spamhaus Project\n"
    "; Last-Modified: Mon, 14 Sep 2015 04:39:22 GMT\n"
    "1.4.0.0/17 ; SBL256893\n"
    "\n"
    "2a06:e480::/29 ; SBL301771\n";

const std::string kAsnDrop =
    "; Last-Modified: Mon, 14 Sep 2015 04:39:22 GMT\r\n"
    "AS260 ; AE | XCONNECT24 - Xconnect24 Inc., US\r\n"
    "AS10516 ; | Orb-bit Design Group\r\n";

}  // namespace

TEST_CASE("DROP: network, SBL id, time.source from Last-Modified, raw = the line") {
    BotHarness bot("parser_spamhaus_drop", "{}");
    const auto r = bot.process({report("https://www.spamhaus.org/drop/drop.txt", kDrop)});
    REQUIRE(r.failed.empty());
    const auto& out = r.on("_default");
    REQUIRE(out.size() == 2);
    CHECK(field(out[0], "source.network") == "1.4.0.0/17");
    CHECK(field(out[0], "extra.blocklist") == "SBL256893");
    CHECK(field(out[0], "classification.type") == "spam");
    CHECK(field(out[0], "time.source") == "2015-09-14T04:39:22+00:00");
    CHECK(field(out[0], "feed.name") == "Spamhaus");
    CHECK(sluice::base64::decode(field(out[0], "raw")) == "1.4.0.0/17 ; SBL256893");
    CHECK(field(out[1], "source.network") == "2a06:e480::/29");
}

TEST_CASE("ASN-DROP: ASN, AS name, country only when given") {
    BotHarness bot("parser_spamhaus_drop", "{}");
    const auto r = bot.process({report("https://www.spamhaus.org/drop/asndrop.txt", kAsnDrop)});
    REQUIRE(r.failed.empty());
    const auto& out = r.on("_default");
    REQUIRE(out.size() == 2);
    CHECK(field(out[0], "source.asn") == "260");
    CHECK(field(out[0], "source.as_name") == "XCONNECT24 - Xconnect24 Inc., US");
    CHECK(field(out[0], "source.geolocation.cc") == "AE");
    CHECK(field(out[1], "source.asn") == "10516");
    CHECK(field(out[1], "source.geolocation.cc") == "<absent>");
    CHECK(field(out[1], "source.network") == "<absent>");
}

TEST_CASE("without a known feed.url each line's shape decides, no Last-Modified, no time.source") {
    BotHarness bot("parser_spamhaus_drop", "{}");
    const auto r = bot.process({report("", "192.0.2.0/24 ; SBL1\nAS64500 ; NL | Example AS\n")});
    REQUIRE(r.failed.empty());
    const auto& out = r.on("_default");
    REQUIRE(out.size() == 2);
    CHECK(field(out[0], "source.network") == "192.0.2.0/24");
    CHECK(field(out[0], "time.source") == "<absent>");
    CHECK(field(out[1], "source.asn") == "64500");
}

TEST_CASE("a bad line is failed with the comments before it, the others go on") {
    BotHarness bot("parser_spamhaus_drop", "{}");
    const std::string text =
        "; Last-Modified: Mon, 14 Sep 2015 04:39:22 GMT\n"
        "1.4.0.0/17 ; SBL256893\n"
        "999.1.1.0/24 ; SBL2\n"
        "10.0.0.0/8 without an id\n"
        "192.0.2.0/24 ; SBL3\n";
    const auto r = bot.process({report("https://www.spamhaus.org/drop/drop.txt", text)});
    REQUIRE(r.on("_default").size() == 2);
    REQUIRE(r.failed.size() == 2);
    CHECK(r.failed[0].record == "; Last-Modified: Mon, 14 Sep 2015 04:39:22 GMT\n999.1.1.0/24 ; SBL2");
    CHECK(r.failed[0].reason.find("line 3: ") == 0);
    CHECK(r.failed[0].reason.find("source.network") != std::string::npos);
    CHECK(r.failed[1].reason.find("line 4: no ';'") == 0);
}

TEST_CASE("Last-Modified dates") {
    using sluice::spamhaus::http_date_to_iso;
    CHECK(http_date_to_iso("Mon, 14 Sep 2015 04:39:22 GMT") == "2015-09-14T04:39:22+00:00");
    CHECK(http_date_to_iso("14 sep 2015 04:39") == "2015-09-14T04:39:00+00:00");
    CHECK(http_date_to_iso("Thu, 01 Jan 2015 00:30:00 +0100") == "2014-12-31T23:30:00+00:00");
    CHECK(!http_date_to_iso("Mon, 31 Sep 2015 04:39:22 GMT"));
    CHECK(!http_date_to_iso("yesterday"));
}
