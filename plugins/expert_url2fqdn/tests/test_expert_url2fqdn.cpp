// SPDX-License-Identifier: AGPL-3.0-or-later
// expert_url2fqdn through the real host code, and its urlparse().hostname.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <sluice/core/bot_harness.hpp>

#include <string>

#include "../url_hostname.hpp"
#include "test_support.hpp"

namespace {

using sluice::BotHarness;

std::string field(const std::string& json, const char* key) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE(d.IsObject());
    if (!d.HasMember(key)) return "<absent>";
    return d[key].IsString() ? d[key].GetString() : "<not a string>";
}

std::string run_one(const std::string& event, const std::string& params = "{}") {
    BotHarness bot("expert_url2fqdn", params);
    const auto r = bot.process({event});
    REQUIRE(r.failed.empty());
    REQUIRE(r.on("_default").size() == 1);
    return r.on("_default")[0];
}

}  // namespace

TEST_CASE("urlparse hostname") {
    using sluice::url2fqdn::url_hostname;
    CHECK(url_hostname("http://example.com/something/index.php") == "example.com");
    CHECK(url_hostname("https://User:pw@Example.COM:8080/x?y#z") == "example.com");
    CHECK(url_hostname("http://[2001:db8::123]:443/download") == "2001:db8::123");
    CHECK(url_hostname("http://example.org?file.exe") == "example.org");
    CHECK(url_hostname("mailto:someone@example.com") == "");
    CHECK(url_hostname("http:///path") == "");
}

TEST_CASE("host names go to *.fqdn, IP literals to *.ip") {
    const auto out = run_one(R"({"__type":"Event","source.url":"http://example.com/something/index.php",)"
                             R"("destination.url":"http://[2001:db8::123]/download?file.exe"})");
    CHECK(field(out, "source.fqdn") == "example.com");
    CHECK(field(out, "source.ip") == "<absent>");
    CHECK(field(out, "destination.ip") == "2001:db8::123");
    CHECK(field(out, "destination.fqdn") == "<absent>");

    const auto ip = run_one(R"({"__type":"Event","source.url":"http://127.0.0.1/something/index.php"})");
    CHECK(field(ip, "source.ip") == "127.0.0.1");
    CHECK(field(ip, "source.fqdn") == "<absent>");
}

TEST_CASE("an existing fqdn is kept unless overwrite is true") {
    const std::string event = R"({"__type":"Event","source.url":"http://example.com/x","source.fqdn":"example.net"})";
    CHECK(field(run_one(event), "source.fqdn") == "example.net");
    CHECK(field(run_one(event, R"({"overwrite":true})"), "source.fqdn") == "example.com");
}

TEST_CASE("an event without URLs passes unchanged") {
    const auto out = run_one(R"({"__type":"Event","source.ip":"192.0.2.1"})");
    CHECK(field(out, "source.ip") == "192.0.2.1");
    CHECK(field(out, "source.fqdn") == "<absent>");
}
