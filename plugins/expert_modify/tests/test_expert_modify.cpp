// SPDX-License-Identifier: AGPL-3.0-or-later
// expert_modify through the real host code: IntelMQ's own modify tests (test_events, test_types,
// test_overwrite, test_overwrite_not, test_maximum_matches), match groups and case folding, and the
// refusal of broken rule files with the file, the position or the rule, and the reason.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <sluice/core/bot_harness.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

using sluice::BotHarness;
using sluice::test::TempDir;

const std::string kSpamhausUrl = "https://portal.spamhaus.org/cert/api.php?cert=<CERTNAME>&key=<APIKEY>";

// IntelMQ's EVENT_TEMPL (tests/bots/experts/modify/test_expert.py) plus the given fields.
std::string event(const std::string& fields = "", const std::string& feed_name = "Spamhaus Cert",
                  const std::string& feed_url = kSpamhausUrl) {
    return R"({"__type":"Event","feed.name":")" + feed_name + R"(","feed.url":")" + feed_url +
           R"(","classification.taxonomy":"malicious-code","classification.type":"infected-system",)"
           R"("time.observation":"2015-01-01T00:00:00+00:00")" +
           (fields.empty() ? "" : "," + fields) + "}";
}

std::string default_conf() {
    return (sluice::test::source_dir() / ".." / "shared" / "conformance" / "intelmq" / "expert_modify" / "default.conf")
        .lexically_normal()
        .string();
}

std::string params(const std::string& path, const std::string& more = "") {
    return R"({"configuration_path":")" + path + "\"" + more + "}";
}

// Runs the bot on each message and returns what it sent, decoded.
std::vector<rapidjson::Document> run(const std::string& parameters, const std::vector<std::string>& messages) {
    BotHarness bot("expert_modify", parameters);
    const auto r = bot.process(messages);
    for (const auto& f : r.failed) FAIL_CHECK(f.reason);
    std::vector<rapidjson::Document> out;
    for (const auto& line : r.on("_default")) {
        out.emplace_back();
        out.back().Parse(line.c_str());
    }
    REQUIRE(out.size() == messages.size());
    return out;
}

std::string text(const rapidjson::Document& d, const char* key) {
    const auto it = d.FindMember(key);
    if (it == d.MemberEnd()) return "<absent>";
    if (it->value.IsString()) return it->value.GetString();
    if (it->value.IsInt64()) return std::to_string(it->value.GetInt64());
    return "<other>";
}

struct RuleFile {
    explicit RuleFile(const std::string& json) : path(dir / "rules.conf") { sluice::test::write_file(path, json); }
    TempDir dir{"sluice-modify"};
    std::filesystem::path path;
    std::string str() const { return path.string(); }
};

// IntelMQ's tests/bots/experts/modify/types.conf.
const char* kTypesConf = R"J([
  {"rulename": "tor-true", "if": {"source.tor_node": true},
   "then": {"event_description.text": "This is a TOR node."}},
  {"rulename": "tor-false", "if": {"source.tor_node": "False"},
   "then": {"event_description.text": "This is not a TOR node."}},
  {"rulename": "tor-null", "if": {"source.tor_node": ""},
   "then": {"event_description.text": "We don't know if this is a TOR node."}},
  {"rulename": "low-accuracy", "if": {"feed.accuracy": "^(10(\\.0)?|([0-9])(\\..*)?)$"},
   "then": {"event_description.text": "Accuracy is 10% or lower."}},
  {"rulename": "highest-accuracy", "if": {"feed.accuracy": 100},
   "then": {"event_description.text": "Accuracy is the highest."}},
  {"rulename": "integer value", "if": {"comment": "integer value"}, "then": {"extra.test": 1}}
])J";

const char* kOverwriteConf = R"J([
  {"rulename": "overwrite type", "if": {"classification.type": "infected-system"},
   "then": {"classification.type": "vulnerable-system"}}
])J";

}  // namespace

TEST_CASE(
    "modify: IntelMQ test_events: the shipped rules set identifiers and protocols, later rules see earlier changes") {
    const auto out =
        run(params(default_conf()),
            {event("", "Abuse.ch", "https://feodotracker.abuse.ch/blocklist/?download=domainblocklist"),
             event(R"("malware.name":"foobar")", "Other Feed"), event(R"("source.port":80,"malware.name":"zeus")"),
             event(R"("malware.name":"xcodeghost")"), event(R"("malware.name":"securityscorecard-someexample-value")"),
             event(R"("malware.name":"anyvalue")"), event(R"("source.port":80)", "Fraunhofer DGA")});
    CHECK(text(out[0], "classification.identifier") == "feodo");
    CHECK(text(out[1], "classification.identifier") == "foobar");
    CHECK(text(out[2], "classification.identifier") == "zeus");
    CHECK(text(out[2], "protocol.transport") == "tcp");  // "^(80|443)$" matched the integer 80 as text
    CHECK(text(out[2], "protocol.application") == "http");
    CHECK(text(out[3], "classification.identifier") == "xcodeghost");
    CHECK(text(out[4], "classification.identifier") == "someexample-value");  // a match group
    CHECK(text(out[5], "classification.identifier") == "anyvalue");
    CHECK(text(out[6], "classification.identifier") == "dga");
    CHECK(text(out[6], "protocol.application") == "http");
    CHECK(text(out[1], "protocol.transport") == "<absent>");
}

TEST_CASE("modify: IntelMQ test_types: booleans and numbers are compared typed, and matched as Python prints them") {
    RuleFile rules(kTypesConf);
    const auto out =
        run(params(rules.str(), R"(,"overwrite":true)"),
            {event(R"("source.tor_node":true)"), event(R"("source.tor_node":false)"), event(),
             event(R"("feed.accuracy":5.22)"), event(R"("feed.accuracy":100)"), event(R"("comment":"integer value")")});
    CHECK(text(out[0], "event_description.text") == "This is a TOR node.");
    CHECK(text(out[1], "event_description.text") == "This is not a TOR node.");
    CHECK(text(out[2], "event_description.text") == "We don't know if this is a TOR node.");
    CHECK(text(out[3], "event_description.text") == "Accuracy is 10% or lower.");
    CHECK(text(out[4], "event_description.text") == "Accuracy is the highest.");
    CHECK(text(out[5], "extra.test") == "1");  // a JSON number, set as a number
    CHECK(text(out[5], "event_description.text") == "We don't know if this is a TOR node.");
}

TEST_CASE("modify: IntelMQ test_overwrite and test_overwrite_not") {
    RuleFile rules(kOverwriteConf);
    CHECK(text(run(params(rules.str()), {event()})[0], "classification.type") == "vulnerable-system");
    CHECK(text(run(params(rules.str(), R"(,"overwrite":false)"), {event()})[0], "classification.type") ==
          "infected-system");
}

TEST_CASE("modify: IntelMQ test_maximum_matches: applying stops after that many rules") {
    const std::string dga = event(R"("source.port":80)", "Fraunhofer DGA");
    const auto all = run(params(default_conf(), R"(,"overwrite":true)"), {dga});
    CHECK(text(all[0], "protocol.application") == "http");
    CHECK(text(all[0], "classification.identifier") == "dga");
    const auto one = run(params(default_conf(), R"(,"overwrite":true,"maximum_matches":1)"), {dga});
    CHECK(text(one[0], "protocol.application") == "http");
    CHECK(text(one[0], "classification.identifier") == "<absent>");
}

TEST_CASE("modify: match groups by number and by Python name, {msg[...]} references, {{ }} and case folding") {
    RuleFile rules(R"J([
      {"rulename": "groups", "if": {"feed.url": "^https://(?P<host>[^/]+)/(cert)/"},
       "then": {"extra.host": "{matches[feed.url][host]}", "extra.path": "{matches[feed.url][2]}",
                "extra.both": "{{{msg[feed.name]}}} via {matches[feed.url][1]}"}},
      {"rulename": "folded", "if": {"feed.name": "^spamhaus CERT$"}, "then": {"extra.folded": true}}
    ])J");
    const auto sensitive = run(params(rules.str()), {event()});
    CHECK(text(sensitive[0], "extra.host") == "portal.spamhaus.org");
    CHECK(text(sensitive[0], "extra.path") == "cert");
    CHECK(text(sensitive[0], "extra.both") == "{Spamhaus Cert} via portal.spamhaus.org");
    CHECK(sensitive[0].FindMember("extra.folded") == sensitive[0].MemberEnd());
    const auto folded = run(params(rules.str(), R"(,"case_sensitive":false)"), {event()});
    REQUIRE(folded[0].HasMember("extra.folded"));
    CHECK(folded[0]["extra.folded"].IsTrue());
}

TEST_CASE("modify: null and ignored values remove the field when overwriting, as IntelMQ's add does") {
    RuleFile rules(R"J([{"rulename": "clear", "if": {"feed.name": "Spamhaus"},
                        "then": {"classification.taxonomy": null, "comment": "", "extra.x": "-"}}])J");
    const auto out = run(params(rules.str()), {event(R"("comment":"old","extra.x":"y")")});
    CHECK(text(out[0], "classification.taxonomy") == "<absent>");
    CHECK(text(out[0], "comment") == "<absent>");
    CHECK(text(out[0], "extra.x") == "<absent>");
    const auto kept = run(params(rules.str(), R"(,"overwrite":false)"), {event(R"("comment":"old")")});
    CHECK(text(kept[0], "comment") == "old");
    CHECK(text(kept[0], "classification.taxonomy") == "malicious-code");
}

TEST_CASE("modify: a value the harmonization refuses fails the event, naming the rule") {
    RuleFile rules(R"J([{"rulename": "bad ip", "if": {}, "then": {"source.ip": "not an address"}}])J");
    BotHarness bot("expert_modify", params(rules.str()));
    const auto r = bot.process({event()});
    REQUIRE(r.failed.size() == 1);
    CHECK(r.failed[0].reason.find("bad ip") != std::string::npos);
    CHECK(r.failed[0].reason.find("source.ip") != std::string::npos);
}

TEST_CASE("modify: a broken rule file is refused at start with the file, the place and the reason") {
    const auto refusal = [](const std::string& json) {
        RuleFile rules(json);
        try {
            BotHarness bot("expert_modify", params(rules.str()));
        } catch (const std::runtime_error& e) {
            const std::string what = e.what();
            CHECK_MESSAGE(what.find(rules.str()) != std::string::npos, what);
            return what;
        }
        FAIL("the rule file was accepted: " << json);
        return std::string();
    };
    CHECK(refusal("[\n  {\"rulename\": \"a\",\n   \"if\": {} \"then\": {}}\n]").find("rules.conf:3:13: invalid JSON") !=
          std::string::npos);
    CHECK(refusal(R"({"rulename": "a"})").find("expected a JSON list of rules") != std::string::npos);
    CHECK(refusal(R"J([{"rulename": "a", "if": {}, "then": {}}, {"rulename": "b", "then": {}}])J")
              .find("rule #2 (\"b\"): missing \"if\"") != std::string::npos);
    CHECK(refusal(R"J([{"rulename": "r", "if": {"feed.url": "(unclosed"}, "then": {}}])J")
              .find("rule #1 (\"r\"), if \"feed.url\": invalid regular expression") != std::string::npos);
    CHECK(refusal(R"J([{"rulename": "r", "if": {"feed.name": ""}, "then": {"comment": "{matches[feed.name][1]}"}}])J")
              .find("then \"comment\": {matches[feed.name][1]}: \"feed.name\" is not a regular-expression condition") !=
          std::string::npos);
    CHECK(
        refusal(R"J([{"rulename": "r", "if": {"feed.name": "(x)"}, "then": {"comment": "{matches[feed.name][2]}"}}])J")
            .find("the expression has 1 group(s)") != std::string::npos);
    CHECK(refusal(R"J([{"rulename": "r", "if": {}, "then": {"comment": "{msg[feed.name]"}}])J").find("is not closed") !=
          std::string::npos);
    CHECK(refusal(R"J([{"rulename": "r", "if": {}, "then": {"comment": "{event[feed.name]}"}}])J")
              .find("only msg and matches") != std::string::npos);
    CHECK(refusal(R"J([{"rulename": "r", "if": [], "then": {}}])J").find("\"if\" must be an object") !=
          std::string::npos);
}

TEST_CASE("modify: a missing rule file is refused with its name") {
    CHECK_THROWS_WITH_AS(BotHarness("expert_modify", params("/nonexistent/modify.conf")),
                         doctest::Contains("/nonexistent/modify.conf: cannot read the rule file"), std::runtime_error);
}
