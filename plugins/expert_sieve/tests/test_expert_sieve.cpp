// SPDX-License-Identifier: AGPL-3.0-or-later
// expert_sieve through the real host code. Most cases are IntelMQ's own sieve tests
// (intelmq/tests/bots/experts/sieve/test_expert.py and its .sieve files), one TEST_CASE per test
// method, asserting what that method asserts; then rule-file mistakes refused at start with their
// line and column, and the Python value semantics the matches rely on.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <sluice/bot.h>
#include <sluice/core/bot_harness.hpp>

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "../parser.hpp"
#include "../python_regex.hpp"
#include "../python_value.hpp"
#include "../sieve_time.hpp"
#include "test_support.hpp"

namespace {

using sluice::BotHarness;
using sluice::HarnessResult;

// IntelMQ's EXAMPLE_INPUT.
const std::string kBase = R"({"__type":"Event","source.ip":"127.0.0.1","source.abuse_contact":"abuse@example.com",)"
                          R"("time.observation":"2017-01-01T00:00:00+00:00"})";

// EXAMPLE_INPUT with the fields `more` ('"key":value,...') added or replaced.
std::string ev(const std::string& more = "") {
    rapidjson::Document base, add;
    base.Parse(kBase.c_str());
    add.Parse(("{" + more + "}").c_str());
    REQUIRE(!add.HasParseError());
    for (auto& m : add.GetObject()) {
        base.RemoveMember(m.name);
        base.AddMember(rapidjson::Value(m.name, base.GetAllocator()), rapidjson::Value(m.value, base.GetAllocator()),
                       base.GetAllocator());
    }
    return sluice::sieve::compact_json(base);
}

// A rule file in a temporary folder and the bot running it.
class Sieve {
 public:
    explicit Sieve(const std::string& rules, std::vector<std::string> paths = {"_default"}) {
        sluice::test::write_file(file(), rules);
        bot_ = std::make_unique<BotHarness>("expert_sieve", params(), std::move(paths));
    }
    std::string file() const { return (dir_ / "rules.sieve").string(); }
    std::string params() const { return R"({"file":")" + file() + "\"}"; }

    HarnessResult run(const std::string& event) {
        HarnessResult r = bot_->process({event});
        REQUIRE(r.statuses.size() == 1);
        return r;
    }

 private:
    sluice::test::TempDir dir_{"sieve-test"};
    std::unique_ptr<BotHarness> bot_;
};

// The two JSON objects are equal (key order aside; 100 == 100.0).
bool same(const std::string& a, const std::string& b) {
    rapidjson::Document x, y;
    x.Parse(a.c_str());
    y.Parse(b.c_str());
    return !x.HasParseError() && !y.HasParseError() && x == y;
}

// The one message on `path`, checked against `expected`.
void expect_out(Sieve& s, const std::string& in, const std::string& expected, const std::string& path = "_default") {
    const HarnessResult r = s.run(in);
    CHECK(r.failed.empty());
    REQUIRE(r.on(path).size() == 1);
    INFO("got:      " << r.on(path).front());
    INFO("expected: " << expected);
    CHECK(same(r.on(path).front(), expected));
}
// The event passes unchanged.
void expect_same(Sieve& s, const std::string& in) { expect_out(s, in, in); }
// Nothing is sent anywhere, and nothing failed.
void expect_dropped(Sieve& s, const std::string& in) {
    const HarnessResult r = s.run(in);
    CHECK(r.failed.empty());
    CHECK(r.statuses[0] == SLUICE_OK);
    size_t n = 0;
    for (const auto& [path, msgs] : r.sent) n += msgs.size();
    CHECK(n == 0);
}

// The message a rule file is refused with at start.
std::string refusal(const std::string& rules) {
    sluice::test::TempDir dir("sieve-test");
    const auto file = dir / "rules.sieve";
    sluice::test::write_file(file, rules);
    try {
        BotHarness bot("expert_sieve", R"({"file":")" + file.string() + "\"}");
    } catch (const std::exception& e) {
        const std::string what = e.what();
        // Only the part from the file name on: the harness may prefix its own words.
        const auto at = what.find("rules.sieve:");
        return at == std::string::npos ? what : what.substr(at);
    }
    return "(accepted)";
}

}  // namespace

// ---- IntelMQ's tests ----

TEST_CASE("sieve: subsequent if clauses (test_if_clause)") {
    Sieve s(R"(
if comment == 'changeme' {
    update comment = 'changed'
}
if source.ip == '192.168.0.1' {
    update source.ip = '192.168.0.2'
}
)");
    expect_out(s, ev(R"("comment":"changeme")"), ev(R"("comment":"changed")"));
    expect_out(s, ev(R"("source.ip":"192.168.0.1")"), ev(R"("source.ip":"192.168.0.2")"));
    expect_out(s, ev(R"("comment":"changeme","source.ip":"192.168.0.1")"),
               ev(R"("comment":"changed","source.ip":"192.168.0.2")"));
    expect_same(s, ev());
}

TEST_CASE("sieve: else clause (test_if_else_clause)") {
    Sieve s("if comment == 'match' {\n update comment = 'matched'\n} else {\n update comment = 'notmatched'\n}\n");
    expect_out(s, ev(R"("comment":"match")"), ev(R"("comment":"matched")"));
    expect_out(s, ev(R"("comment":"foobar")"), ev(R"("comment":"notmatched")"));
}

TEST_CASE("sieve: elif clauses (test_if_elif_clause, test_if_elif_else_clause)") {
    Sieve s(R"(
if comment == 'match1' {
    update comment = 'changed1'
} elif comment == 'match2' {
    update comment = 'changed2'
} elif comment == 'match3' {
    update comment = 'changed3'
}
)");
    for (const char* n : {"1", "2", "3"})
        expect_out(s, ev(std::string(R"("comment":"match)") + n + "\""),
                   ev(std::string(R"("comment":"changed)") + n + "\""));
    expect_same(s, ev(R"("comment":"foobar")"));

    Sieve e(
        "if comment == 'match1' { update comment = 'changed1' }\n"
        "elif comment == 'match2' { update comment = 'changed2' }\n"
        "else { update comment = 'changed3' }\n");
    expect_out(e, ev(R"("comment":"match1")"), ev(R"("comment":"changed1")"));
    expect_out(e, ev(R"("comment":"match2")"), ev(R"("comment":"changed2")"));
    expect_out(e, ev(R"("comment":"match3")"), ev(R"("comment":"changed3")"));
}

TEST_CASE("sieve: || and && (test_or_match, test_and_match)") {
    Sieve o(R"(if ( source.abuse_contact == "abuse@example.com" || comment == "I am TRUE in OR clause" ) {
    update source.ip = "10.9.8.7"
})");
    const std::string t = R"("comment":"I am TRUE in OR clause")", f = R"("comment":"I am NOT True in OR clause")";
    const std::string other = R"("source.abuse_contact":"test@test.eu",)";
    expect_out(o, ev(t), ev(t + R"(,"source.ip":"10.9.8.7")"));
    expect_out(o, ev(f), ev(f + R"(,"source.ip":"10.9.8.7")"));
    expect_out(o, ev(other + t), ev(other + t + R"(,"source.ip":"10.9.8.7")"));
    expect_same(o, ev(other + f));

    Sieve a(R"(if ( source.abuse_contact == "abuse@example.com" && comment == "I am TRUE in AND clause" ) {
    add! source.ip = "10.9.8.7"
})");
    const std::string at = R"("comment":"I am TRUE in AND clause")", af = R"("comment":"I am NOT True in AND clause")";
    expect_out(a, ev(at), ev(at + R"(,"source.ip":"10.9.8.7")"));
    expect_same(a, ev(af));
    expect_same(a, ev(other + at));
    expect_same(a, ev(other + af));
}

TEST_CASE("sieve: && binds tighter than ||, parentheses group (test_precedence, test_parentheses)") {
    Sieve s(R"(
if source.abuse_contact == 'abuse@example.com' && source.ip == '1.2.3.4' || feed.provider == 'acme' {
    add comment = 'match1'
}
if source.abuse_contact == 'abuse@example.com' && (source.ip == '5.6.7.8' || feed.provider == 'acme') {
    add comment = 'match2'
}
)");
    expect_out(s, ev(R"("feed.provider":"acme")"), ev(R"("feed.provider":"acme","comment":"match1")"));
    expect_out(s, ev(R"("source.ip":"5.6.7.8")"), ev(R"("source.ip":"5.6.7.8","comment":"match2")"));

    Sieve p(
        "if (source.ip == '127.0.0.1') && (comment == 'add field' || classification.taxonomy == 'vulnerable') {\n"
        "      add destination.ip=\"150.50.50.10\"\n}\n");
    expect_same(p, ev());
    expect_out(p, ev(R"("comment":"add field")"), ev(R"("comment":"add field","destination.ip":"150.50.50.10")"));
    expect_out(p, ev(R"("classification.taxonomy":"vulnerable")"),
               ev(R"("classification.taxonomy":"vulnerable","destination.ip":"150.50.50.10")"));
}

TEST_CASE("sieve: == and != on strings (test_string_equal_match, test_string_not_equal_match)") {
    Sieve eq("if source.fqdn == 'www.example.com' {\n    add comment = 'match'\n}\n");
    expect_out(eq, ev(R"("source.fqdn":"www.example.com")"),
               ev(R"("source.fqdn":"www.example.com","comment":"match")"));
    expect_same(eq, ev(R"("source.fqdn":"www.hotmail.com")"));
    expect_same(eq, ev());

    Sieve ne("if source.fqdn != 'www.example.com' {\n    add comment = 'match'\n}\n");
    expect_out(ne, ev(R"("source.fqdn":"mail.ru")"), ev(R"("source.fqdn":"mail.ru","comment":"match")"));
    expect_out(ne, ev(), ev(R"("comment":"match")"));  // a missing key is != anything
    expect_same(ne, ev(R"("source.fqdn":"www.example.com")"));
}

TEST_CASE(
    "sieve: :contains, =~ and !~ (test_string_contains_match, test_string_regex_match, "
    "test_string_inverse_regex_match)") {
    Sieve c("if source.url :contains '.ch' {\n    add comment = 'match'\n}\n");
    expect_out(c, ev(R"("source.url":"https://www.switch.ch/security/")"),
               ev(R"("source.url":"https://www.switch.ch/security/","comment":"match")"));
    expect_same(c, ev(R"("source.url":"https://www.ripe.net/")"));
    expect_same(c, ev());

    Sieve r("if source.url =~ '^http(s)?://www\\.switch\\.ch/.*' {\n    add comment = 'match'\n}\n");
    expect_out(r, ev(R"("source.url":"https://www.switch.ch/security")"),
               ev(R"("source.url":"https://www.switch.ch/security","comment":"match")"));
    expect_same(r, ev(R"("source.url":"http://www.example.com")"));
    expect_same(r, ev());

    Sieve n("if source.url !~ '^http(s)?://www\\.switch\\.ch/.*' {\n    add comment = 'match'\n}\n");
    expect_out(n, ev(R"("source.url":"http://www.example.com")"),
               ev(R"("source.url":"http://www.example.com","comment":"match")"));
    expect_out(n, ev(), ev(R"("comment":"match")"));
    expect_same(n, ev(R"("source.url":"https://www.switch.ch/security")"));
}

TEST_CASE("sieve: an invalid IP address compared with an IP key is refused (test_string_invalid_ipaddr)") {
    CHECK(refusal("if source.ip == \"#fail\" {\n    add comment = \"this should fail\"\n}\n") ==
          "rules.sieve:1:17: Invalid IP address: #fail.");
}

TEST_CASE("sieve: numeric comparisons (test_numeric_*_match)") {
    Sieve eq("if feed.accuracy == 100.0 { drop }");
    expect_dropped(eq, ev(R"("feed.accuracy":100.0)"));
    expect_same(eq, ev(R"("feed.accuracy":50.0)"));

    Sieve ne("if feed.accuracy != 100.0 { drop }");
    expect_dropped(ne, ev(R"("feed.accuracy":50.0)"));
    expect_same(ne, ev(R"("feed.accuracy":100)"));

    Sieve lt("if feed.accuracy < 98.0 { drop }");
    expect_dropped(lt, ev(R"("feed.accuracy":50.0)"));
    expect_same(lt, ev(R"("feed.accuracy":99.5)"));

    Sieve le("if feed.accuracy <= 90 { drop }");
    expect_dropped(le, ev(R"("feed.accuracy":40.0)"));
    expect_dropped(le, ev(R"("feed.accuracy":90)"));
    expect_same(le, ev(R"("feed.accuracy":95.0)"));

    Sieve gt("if feed.accuracy > 40.0 { drop }");
    expect_dropped(gt, ev(R"("feed.accuracy":50.0)"));
    expect_same(gt, ev(R"("feed.accuracy":35.5)"));

    Sieve ge("if feed.accuracy >= 90 { drop }");
    expect_same(ge, ev(R"("feed.accuracy":40.0)"));
    expect_dropped(ge, ev(R"("feed.accuracy":90)"));
    expect_dropped(ge, ev(R"("feed.accuracy":95.0)"));
}

TEST_CASE("sieve: numeric comparison on a non-numeric key is refused (test_numeric_invalid_key)") {
    const std::string why = refusal("if source.fqdn == 2 {\n    add comment = \"this should fail\"\n}\n");
    CHECK(why.starts_with("rules.sieve:1:19: Incompatible type: FQDN."));
    CHECK(refusal("if extra.count > 2 { drop }").starts_with("rules.sieve:1:18: Invalid key: extra.count."));
}

TEST_CASE("sieve: :exists and :notexists (test_exists_match, test_not_exists_match)") {
    Sieve e("if :exists source.fqdn {\n    add comment = \"I think therefore I am.\"\n}\n");
    expect_out(e, ev(R"("source.fqdn":"www.example.com")"),
               ev(R"("source.fqdn":"www.example.com","comment":"I think therefore I am.")"));
    expect_same(e, ev());
    Sieve n("if :notexists source.fqdn {\n    add comment = \"I think therefore I am.\"\n}\n");
    expect_out(n, ev(), ev(R"("comment":"I think therefore I am.")"));
    expect_same(n, ev(R"("source.fqdn":"www.example.com")"));
}

TEST_CASE("sieve: :in, :containsany, :regexin on strings (test_string_match_value_list)") {
    Sieve s(R"(
if classification.type :in ['infected-system'] {
	add comment = 'infected hosts'
}
if classification.type :in ['c2-server','malware-configuration'] {
	add comment = 'malicious server / service'
}
if source.fqdn :containsany ['.mx', '.zz'] {
	add comment = 'containsany match'
}
if extra.tag :regexin ['ee$', 'ab.d'] {
	add comment = 'regexin match'
}
)");
    expect_out(s, ev(R"("classification.type":"infected-system")"),
               ev(R"("classification.type":"infected-system","comment":"infected hosts")"));
    expect_out(s, ev(R"("classification.type":"c2-server")"),
               ev(R"("classification.type":"c2-server","comment":"malicious server / service")"));
    expect_same(s, ev(R"("classification.type":"blacklist")"));
    expect_out(s, ev(R"("source.fqdn":"matched.mx")"),
               ev(R"("source.fqdn":"matched.mx","comment":"containsany match")"));
    expect_out(s, ev(R"("source.fqdn":"matched.zz")"),
               ev(R"("source.fqdn":"matched.zz","comment":"containsany match")"));
    expect_same(s, ev(R"("source.fqdn":"matched.yy")"));
    expect_out(s, ev(R"("extra.tag":"xxee")"), ev(R"("extra.tag":"xxee","comment":"regexin match")"));
    expect_out(s, ev(R"("extra.tag":"abcd")"), ev(R"("extra.tag":"abcd","comment":"regexin match")"));
    expect_same(s, ev(R"("extra.tag":"eeabcc")"));
}

TEST_CASE("sieve: :in on numbers (test_numeric_match_value_list)") {
    Sieve s(
        "if destination.asn :in [20965,6939,8220] {\n   add comment='Belongs to peering group'\n}\n"
        "if destination.asn :in [1930,199155] {\n   add comment='Belongs constituency group'\n}\n");
    expect_out(s, ev(R"("destination.asn":6939)"),
               ev(R"("destination.asn":6939,"comment":"Belongs to peering group")"));
    expect_out(s, ev(R"("destination.asn":1930)"),
               ev(R"("destination.asn":1930,"comment":"Belongs constituency group")"));
    expect_same(s, ev(R"("destination.asn":3356)"));
}

TEST_CASE("sieve: drop and keep stop processing (test_drop_event, test_keep_event)") {
    Sieve d("if comment == 'drop' {\n  drop\n}\nif source.ip == '127.0.0.1' {\n  update comment = 'changed'\n}\n");
    expect_same(d, ev());  // no comment: update does not create it
    expect_dropped(d, ev(R"("comment":"drop")"));

    Sieve k(R"(
if comment == 'continue' {
}
if comment == 'keep' {
  keep
}
if comment :in ['continue', 'keep'] {
  update comment = 'changed'
}
)");
    expect_out(k, ev(R"("comment":"continue")"), ev(R"("comment":"changed")"));
    expect_out(k, ev(R"("comment":"keep")"), ev(R"("comment":"keep")"));
}

TEST_CASE(
    "sieve: add, add!, update, remove (test_add, test_add_force, test_update, test_remove, "
    "test_multiple_actions)") {
    Sieve add("if comment == 'add field' {\n    add destination.ip=\"150.50.50.10\"\n}\n");
    expect_same(add, ev());
    expect_out(add, ev(R"("comment":"add field")"), ev(R"("comment":"add field","destination.ip":"150.50.50.10")"));

    Sieve force(R"(
if comment == 'add force new field' {
    add! destination.ip = "150.50.50.10"
}
if comment == 'add force existing fields' {
    add! destination.ip = "200.10.9.7"
    add! source.ip = "10.9.8.7"
}
)");
    expect_same(force, ev());
    expect_out(force, ev(R"("comment":"add force new field")"),
               ev(R"("comment":"add force new field","destination.ip":"150.50.50.10")"));
    const std::string existing = R"({"__type":"Event","source.ip":"10.9.8.7","source.abuse_contact":)"
                                 R"("abuse@example.com","time.observation":"2017-01-01T00:00:00+00:00",)"
                                 R"("comment":"add force existing fields","destination.ip":"200.10.9.7"})";
    expect_out(force, ev(R"("comment":"add force existing fields")"), existing);

    Sieve upd(
        "if comment == 'update new parameter' {\n    update destination.ip=\"100.99.88.77\"\n}\n"
        "if comment == 'update existing parameter' {\n    update source.ip=\"10.9.8.7\"\n}\n");
    expect_same(upd, ev());
    expect_same(upd, ev(R"("comment":"update new parameter")"));
    expect_out(upd, ev(R"("comment":"update existing parameter")"),
               R"({"__type":"Event","source.ip":"10.9.8.7","source.abuse_contact":"abuse@example.com",)"
               R"("time.observation":"2017-01-01T00:00:00+00:00","comment":"update existing parameter"})");

    Sieve rm("if comment == 'remove parameter' {\n    remove destination.ip\n}\n");
    expect_same(rm, ev());
    expect_out(rm, ev(R"("comment":"remove parameter","destination.ip":"192.168.10.1")"),
               ev(R"("comment":"remove parameter")"));
    expect_same(rm, ev(R"("comment":"remove parameter")"));

    Sieve many(
        "if :exists source.ip {\n    add comment = 'added'\n    update source.ip = '127.0.0.2'\n"
        "    remove classification.type\n}\n");
    expect_out(many, ev(R"("classification.type":"undetermined")"),
               R"({"__type":"Event","source.ip":"127.0.0.2","source.abuse_contact":"abuse@example.com",)"
               R"("time.observation":"2017-01-01T00:00:00+00:00","comment":"added"})");
}

TEST_CASE(
    "sieve: << IP ranges (test_ip_range_match, test_ip_range_list_match, "
    "test_network_host_bits_list_match)") {
    Sieve s(R"(
if source.ip << '192.0.0.0/24' {
    add! comment = 'bogon1'
    keep
}
if source.ip << '192.0.0.0/16' {
    add! comment = 'bogon2'
    keep
}
if source.ip << '2001:620:0:0:0:0:0:0/29' {
    add comment = 'SWITCH'
    keep
}
if comment << '10.0.0.0/8' {
    add comment = 'valid'
}
)");
    expect_out(s, ev(R"("source.ip":"192.0.0.1")"), ev(R"("source.ip":"192.0.0.1","comment":"bogon1")"));
    expect_out(s, ev(R"("source.ip":"192.0.200.1")"), ev(R"("source.ip":"192.0.200.1","comment":"bogon2")"));
    expect_same(s, ev(R"("source.ip":"192.168.0.1")"));
    expect_out(s, ev(R"("source.ip":"2001:620:0:ff::56")"),
               ev(R"("source.ip":"2001:620:0:ff::56","comment":"SWITCH")"));
    expect_same(s, ev(R"("comment":"300.300.300.300")"));  // not an address: a warning, no match

    Sieve list("if source.ip << ['192.0.0.0/24', '169.254.0.0/16'] {\n    add comment = 'bogon'\n}\n");
    expect_out(list, ev(R"("source.ip":"192.0.0.1")"), ev(R"("source.ip":"192.0.0.1","comment":"bogon")"));
    expect_same(list, ev(R"("source.ip":"8.8.8.8")"));

    Sieve host_bits("if source.ip << ['192.0.0.5/24', '169.254.2.1/16'] {\n    add comment = 'bogon'\n}\n");
    expect_out(host_bits, ev(R"("source.ip":"169.254.2.1")"), ev(R"("source.ip":"169.254.2.1","comment":"bogon")"));
    expect_out(host_bits, ev(R"("source.ip":"169.254.3.1")"), ev(R"("source.ip":"169.254.3.1","comment":"bogon")"));
    expect_same(host_bits, ev(R"("source.ip":"169.255.2.1")"));
}

TEST_CASE("sieve: :before and :after, absolute and relative (test_date_match)") {
    Sieve s(R"(
if time.observation :before '1 week' {
	append extra.list 'before 1 week'
}
if time.observation :after '1 week' {
	append extra.list 'after 1 week'
}
if time.observation :before '2023-06-01' {
	append extra.list 'before 2023-06-01'
}
if time.observation :after '2023-06-01' {
	append extra.list 'after 2023-06-01'
}
if time.observation :before '2023-06-01 15:00' {
	append extra.list 'before 2023-06-01 15:00'
}
if time.observation :after '2023-06-01 15:00' {
	append extra.list 'after 2023-06-01 15:00'
}
if extra.str == 'few-hours' && time.observation :after '10 h' {
	append extra.list 'after 10 h'
}
)");
    const auto at = [](const std::string& t) {
        return R"({"__type":"Event","source.ip":"127.0.0.1","time.observation":")" + t + "\"";
    };
    const auto with = [&](const std::string& t, const std::string& list) {
        return at(t) + R"(,"extra.list":[)" + list + "]}";
    };
    const std::string old = R"("before 1 week","before 2023-06-01","before 2023-06-01 15:00")";
    expect_out(s, at("2017-01-01T00:00:00+00:00") + "}", with("2017-01-01T00:00:00+00:00", old));
    // a date alone is midnight: neither before nor after '2023-06-01'
    expect_out(s, at("2023-06-01T00:00:00+00:00") + "}",
               with("2023-06-01T00:00:00+00:00", R"("before 1 week","before 2023-06-01 15:00")"));
    const std::string morning = R"("before 1 week","after 2023-06-01","before 2023-06-01 15:00")";
    expect_out(s, at("2023-06-01T10:00:00+00:00") + "}", with("2023-06-01T10:00:00+00:00", morning));
    // the harmonization makes these UTC first, as IntelMQ's: no zone is UTC, 10:00-06:00 is 16:00
    expect_out(s, at("2017-01-01T00:00:00") + "}", with("2017-01-01T00:00:00+00:00", old));
    expect_out(s, at("2023-06-01 10:00") + "}", with("2023-06-01T10:00:00+00:00", morning));
    expect_out(s, at("2023-06-01T10:00-06:00") + "}",
               with("2023-06-01T16:00:00+00:00", R"("before 1 week","after 2023-06-01","after 2023-06-01 15:00")"));
    const auto iso = [](sluice::sieve::Micros t) { return sluice::sieve::format_utc(t / 1'000'000 * 1'000'000); };
    const sluice::sieve::Micros day = 86400LL * 1'000'000;
    const std::string recent = R"("after 1 week","after 2023-06-01","after 2023-06-01 15:00")";
    const std::string now = iso(sluice::sieve::now_micros());
    expect_out(s, at(now) + "}", with(now, recent));
    const std::string three = iso(sluice::sieve::now_micros() - 3 * day);
    expect_out(s, at(three) + "}", with(three, recent));
    const std::string eight = iso(sluice::sieve::now_micros() - 8 * day);
    expect_out(s, at(eight) + "}", with(eight, R"("before 1 week","after 2023-06-01","after 2023-06-01 15:00")"));
}

TEST_CASE("sieve: comments with # and // (test_comments)") {
    Sieve s(R"(if source.ip == '127.0.0.1' {
    add comment = 'hello'
    // update comment = 'I should not be here'
    # update comment = 'neither should I'
})");
    expect_out(s, ev(), ev(R"("comment":"hello")"));
}

TEST_CASE("sieve: named paths (test_named_queues, test_multiple_paths)") {
    const std::string rules = R"(
if comment == "keep without path" {
    keep
}
if comment == "keep with path" {
    path "other-way"
    keep
}
if comment == "drop" {
    drop
}
)";
    Sieve s(rules);
    expect_dropped(s, ev(R"("comment":"drop")"));
    expect_same(s, ev(R"("comment":"keep without path")"));
    expect_same(s, ev(R"("comment":"default path")"));

    Sieve two(rules, {"_default", "other-way"});
    const auto r = two.run(ev(R"("comment":"keep with path")"));
    CHECK(r.on("_default").empty());
    CHECK(r.on("other-way").size() == 1);

    Sieve multi("if source.ip == '127.0.0.1' {\n    path ['one', 'two']\n}\n", {"_default", "one", "two"});
    const auto m = multi.run(ev());
    CHECK(m.on("_default").empty());
    REQUIRE(m.on("one").size() == 1);
    REQUIRE(m.on("two").size() == 1);
    CHECK(same(m.on("one").front(), ev()));
    CHECK(same(m.on("two").front(), ev()));
}

TEST_CASE("sieve: a string compared with a key that looks numeric (test_numeric_key)") {
    Sieve s("if malware.hash.md5 == '0904631316551' {\n    update comment = 'changed'\n}\n");
    const std::string md5 = R"({"__type":"Event","malware.hash.md5":"0904631316551"})";
    expect_same(s, md5);
}

TEST_CASE("sieve: += and -= move a time (test_basic_math)") {
    // IntelMQ's test compares with time.observation ignored; here time.source shows the result.
    Sieve s(R"(
if comment == 'add_force' {
    add! time.source += '1 hour'
}
if comment == 'minus_force' {
    add! time.source -= '1 hour'
}
if comment == 'add_update' {
    update time.source += '1 hour'
}
if comment == 'minus_update' {
    update time.source -= '2 days'
}
if comment == 'add_normal' {
    add time.source += '1 hour'
}
)");
    const auto at = [](const std::string& comment, const std::string& t) {
        return R"({"__type":"Event","comment":")" + comment + R"(","time.source":")" + t + "\"}";
    };
    expect_out(s, at("add_force", "2017-01-01T00:00:00+00:00"), at("add_force", "2017-01-01T01:00:00+00:00"));
    expect_out(s, at("minus_force", "2017-01-01T00:00:00+00:00"), at("minus_force", "2016-12-31T23:00:00+00:00"));
    expect_out(s, at("add_update", "2017-01-01T00:00:00+00:00"), at("add_update", "2017-01-01T01:00:00+00:00"));
    expect_out(s, at("minus_update", "2017-03-01T12:00:00+00:00"), at("minus_update", "2017-02-27T12:00:00+00:00"));
    // add applies only to a missing key, and a missing key has no time to move
    expect_same(s, at("add_normal", "2017-01-01T00:00:00+00:00"));
    const auto r = s.run(R"({"__type":"Event","comment":"add_normal"})");
    CHECK(r.statuses[0] == SLUICE_REJECT);
}

TEST_CASE(
    "sieve: actions without conditions (test_only_one_action, test_only_multiple_actions, "
    "test_mixed_if_and_actions)") {
    Sieve one("add comment = 'Test action only'\n");
    expect_out(one, ev(), ev(R"("comment":"Test action only")"));
    Sieve two("add comment = 'Test action only'\nupdate source.ip = '1.3.3.7'\n");
    expect_out(two, ev(),
               R"({"__type":"Event","source.ip":"1.3.3.7","source.abuse_contact":"abuse@example.com",)"
               R"("time.observation":"2017-01-01T00:00:00+00:00","comment":"Test action only"})");
    Sieve mixed("add extra.tag = 'matched'\nif comment == 'match' {\n\tupdate comment = 'changed'\n}\n");
    expect_out(mixed, ev(R"("comment":"match")"), ev(R"("comment":"changed","extra.tag":"matched")"));
    expect_out(mixed, ev(), ev(R"("extra.tag":"matched")"));
}

TEST_CASE("sieve: list operators (test_list_*_match, test_empty_list)") {
    const std::string base = R"("extra.list":["a","b","c"])";
    const auto rules = [](const std::string& op, const std::string& yes, const std::string& no) {
        return "if comment == 'match1' && extra.list " + op + " " + yes + " {\n\tupdate comment = 'changed1'\n}\n" +
               "if comment == 'match2' && extra.list " + op + " " + no + " {\n\tupdate comment = 'unreachable'\n}\n";
    };
    const std::vector<std::vector<std::string>> cases = {
        {":equals", "['a', 'b', 'c']", "['d', 'e', 'f']"},
        {":setequals", "['a', 'c', 'b', 'a']", "['a', 'b', 'c', 'd']"},
        {":overlaps", "['a', 'b', 'd']", "['d', 'e', 'f']"},
        {":subsetof", "['a', 'b', 'c', 'd']", "['b', 'c', 'd', 'e']"},
        {":supersetof", "['a', 'b']", "['a', 'b', 'c', 'd']"},
    };
    for (const auto& c : cases) {
        CAPTURE(c[0]);
        Sieve s(rules(c[0], c[1], c[2]));
        expect_out(s, ev(base + R"(,"comment":"match1")"), ev(base + R"(,"comment":"changed1")"));
        expect_same(s, ev(base + R"(,"comment":"match2")"));
    }
    Sieve empty("if extra.list :equals [] {\n    add extra.list_empty = true\n}\n");
    expect_out(empty, ev(R"("extra.list":[])"), ev(R"("extra.list":[],"extra.list_empty":true)"));
}

TEST_CASE("sieve: booleans (test_bool_match)") {
    Sieve s(R"(
if comment == 'match1' && extra.truthy == true { update comment = 'changed1' }
if comment == 'match2' && extra.falsy == false { update comment = 'changed2' }
if comment == 'match3' && extra.truthy != false { update comment = 'changed3' }
if comment == 'match4' && extra.falsy != true { update comment = 'changed4' }
if comment == 'match5' && extra.truthy == false { update comment = 'unreachable' }
if comment == 'match6' && extra.falsy == true { update comment = 'unreachable' }
if comment == 'match7' && extra.truthy != true { update comment = 'unreachable' }
if comment == 'match8' && extra.falsy != false { update comment = 'unreachable' }
)");
    const std::string base = R"("extra.truthy":true,"extra.falsy":false,)";
    for (int i = 1; i <= 4; ++i) {
        const std::string n = std::to_string(i);
        expect_out(s, ev(base + R"("comment":"match)" + n + "\""), ev(base + R"("comment":"changed)" + n + "\""));
    }
    for (int i = 5; i <= 8; ++i) expect_same(s, ev(base + R"("comment":"match)" + std::to_string(i) + "\""));
}

TEST_CASE("sieve: typed values (test_typed_values)") {
    Sieve s(R"(
if extra.list :equals [true, 2.1, 'three', 4] {
	update comment = 'changed'
}
if comment == 'match1' {
	add extra.value = 'string'
}
elif comment == 'match2' {
	add extra.value = 'dummy value'
	add! extra.value = 100
}
elif comment == 'match3' {
	add extra.value = 'dummy value'
	update extra.value = 1.5
}
elif comment == 'match4' {
	add extra.value = true
}
)");
    const std::string list = R"("extra.list":[true,2.1,"three",4])";
    expect_out(s, ev(list + R"(,"comment":"foo")"), ev(list + R"(,"comment":"changed")"));
    expect_out(s, ev(R"("comment":"match1")"), ev(R"("comment":"match1","extra.value":"string")"));
    expect_out(s, ev(R"("comment":"match2")"), ev(R"("comment":"match2","extra.value":100)"));
    expect_out(s, ev(R"("comment":"match3")"), ev(R"("comment":"match3","extra.value":1.5)"));
    expect_out(s, ev(R"("comment":"match4")"), ev(R"("comment":"match4","extra.value":true)"));
}

TEST_CASE("sieve: append and append! (test_append, test_force_append)") {
    Sieve a(
        "if comment == 'match1' {\n\tappend extra.list 'c'\n}\nif comment == 'match2' {\n"
        "\tappend extra.single 'unappendable'\n}\nif comment == 'match3' {\n\tappend extra.nonexistent 'new'\n}\n");
    expect_out(a, ev(R"("comment":"match1","extra.list":["a","b"])"),
               ev(R"("comment":"match1","extra.list":["a","b","c"])"));
    expect_same(a, ev(R"("comment":"match2","extra.single":"something")"));
    expect_out(a, ev(R"("comment":"match3")"), ev(R"("comment":"match3","extra.nonexistent":["new"])"));

    Sieve f(
        "if comment == 'match1' {\n\tappend! extra.list 'c'\n}\nif comment == 'match2' {\n"
        "\tappend! extra.single 'more'\n}\nif comment == 'match3' {\n\tappend! extra.nonexistent 'something'\n}\n");
    expect_out(f, ev(R"("comment":"match1","extra.list":["a","b"])"),
               ev(R"("comment":"match1","extra.list":["a","b","c"])"));
    expect_out(f, ev(R"("comment":"match2","extra.single":"something")"),
               ev(R"("comment":"match2","extra.single":["something","more"])"));
    expect_out(f, ev(R"("comment":"match3")"), ev(R"("comment":"match3","extra.nonexistent":["something"])"));
}

TEST_CASE("sieve: ! negates one condition or a group (test_negation)") {
    Sieve s(R"(
if comment == 'match1' && ! extra.text == 'test' {
	update comment = 'changed1'
}
if comment == 'match2' && ! ( extra.text == 'test' ) {
	update comment = 'changed2'
}
if comment == 'match3' && ( ! extra.text != 'test1' || ! extra.text != 'test2' ) {
	update comment = 'changed3'
}
if comment == 'match4' &&  ( ! extra.text == 'test1' && ! extra.text == 'test2' ) {
	update comment = 'changed4'
}
)");
    expect_out(s, ev(R"("comment":"match1")"), ev(R"("comment":"changed1")"));
    expect_out(s, ev(R"("comment":"match2")"), ev(R"("comment":"changed2")"));
    expect_out(s, ev(R"("comment":"match3","extra.text":"test1")"), ev(R"("comment":"changed3","extra.text":"test1")"));
    expect_out(s, ev(R"("comment":"match3","extra.text":"test2")"), ev(R"("comment":"changed3","extra.text":"test2")"));
    expect_same(s, ev(R"("comment":"match3","extra.text":"test3")"));
    expect_same(s, ev(R"("comment":"match4","extra.text":"test1")"));
    expect_same(s, ev(R"("comment":"match4","extra.text":"test2")"));
    expect_out(s, ev(R"("comment":"match4","extra.text":"test3")"), ev(R"("comment":"changed4","extra.text":"test3")"));
}

TEST_CASE("sieve: nested if / elif / else (test_nested_if)") {
    Sieve s(R"(
if comment == 'match1' {
	if extra.text == 'test1' { update comment = 'changed1' }
	elif extra.text == 'test2' { update comment = 'changed2' }
	else { update comment = 'changed3' }
}
elif comment == 'match2' {
	if extra.text == 'test4' { update comment = 'changed4' }
	elif extra.text == 'test5' { update comment = 'changed5' }
	else { update comment = 'changed6' }
}
else {
	if extra.text == 'test7' { update comment = 'changed7' }
	elif extra.text == 'test8' { update comment = 'changed8' }
	else { update comment = 'changed9' }
}
)");
    const std::vector<std::vector<std::string>> cases = {
        {"match1", "test1", "changed1"}, {"match1", "", "changed3"},      {"match1", "test2", "changed2"},
        {"match2", "test4", "changed4"}, {"match2", "test5", "changed5"}, {"match2", "", "changed6"},
        {"match3", "test7", "changed7"}, {"match3", "test8", "changed8"}, {"match3", "", "changed9"},
    };
    for (const auto& c : cases) {
        const std::string text = c[1].empty() ? "" : R"(,"extra.text":")" + c[1] + "\"";
        expect_out(s, ev(R"("comment":")" + c[0] + "\"" + text), ev(R"("comment":")" + c[2] + "\"" + text));
    }
}

TEST_CASE("sieve: objects match as JSON text (test_extra_dict)") {
    Sieve s(R"(// '{"extra.some_dict": { "key": [] }}'
if :notexists extra.some_dict {
 drop
}
if extra.some_dict !~ '"key": ' {
 drop
}
if extra.some_dict =~ '"key": \[\]' {
 drop
}
)");
    expect_dropped(s, ev(R"("extra.some_dict":{"key":[]})"));
}

TEST_CASE("sieve: variables (test_variables)") {
    Sieve s("$foo = source.abuse_contact\nadd! extra.email = $foo\n");
    expect_out(s, ev(), ev(R"("extra.email":"abuse@example.com")"));
    // a variable as a value to compare with, and as a key
    Sieve cmp("$c = comment\nif extra.copy == $c { add extra.same = true }\n$k = extra.name\nif $k == 'x' { drop }\n");
    expect_out(cmp, ev(R"("comment":"a","extra.copy":"a","extra.name":"comment")"),
               ev(R"("comment":"a","extra.copy":"a","extra.name":"comment","extra.same":true)"));
    expect_dropped(cmp, ev(R"("comment":"x","extra.name":"comment")"));
    // reading an absent key into a variable fails the message, as in IntelMQ
    const auto r = s.run(R"({"__type":"Event","source.ip":"127.0.0.1"})");
    CHECK(r.statuses[0] == SLUICE_REJECT);
}

// ---- rule files with mistakes: refused at start, with file, line and column ----

TEST_CASE("sieve: mistakes in the rule file are refused at start with line and column") {
    CHECK(refusal("if comment == 'a' {\n  drop\n}\nif source.ip == '10.0.0.1' keep\n") ==
          "rules.sieve:4:28: expected '{' after condition, found 'keep'");
    CHECK(refusal("if comment == 'a' {\n  drop\n") ==
          "rules.sieve:3:1: expected '}' to close the block opened at 1:19, found end of file");
    CHECK(refusal("if comment = 'a' { drop }") == "rules.sieve:1:12: expected an operator after 'comment', found '='");
    CHECK(refusal("if comment == 'a' { dorp }") ==
          "rules.sieve:1:21: unknown action 'dorp' (expected drop, keep, path, add, add!, update, remove, append, "
          "append!, $variable = key, or 'if')");
    CHECK(refusal("if comment == 'a { drop }") == "rules.sieve:1:15: unterminated string: missing closing '");
    CHECK(refusal("\n\n  elif comment == 'a' { drop }") == "rules.sieve:3:3: 'elif' without a preceding 'if' block");
    CHECK(refusal("if (comment == 'a' { drop }") ==
          "rules.sieve:1:20: expected ')' to close the '(' at 1:4, found '{'");
    CHECK(refusal("if Comment == 'a' { drop }") ==
          "rules.sieve:1:4: invalid key 'Comment': keys are lowercase letters, digits, '_' and '.'");
    CHECK(refusal("if source.ip << '10.0.0.0/33' { drop }") == "rules.sieve:1:17: Invalid ip range: 10.0.0.0/33.");
    CHECK(refusal("if comment =~ '(' { drop }").starts_with("rules.sieve:1:15: invalid regular expression '('"));
    CHECK(refusal("if comment :in [] { drop }") ==
          "rules.sieve:1:17: expected at least one value in the list after ':in', found ']'");
    CHECK(refusal("if source.port :in [80, 'x'] { drop }") ==
          "rules.sieve:1:25: a list after ':in' holds either strings or numbers, not both");
    CHECK(refusal("add comment == 'x'") ==
          "rules.sieve:1:13: expected '=', '+=' or '-=' after 'add comment', found '=='");
    CHECK(refusal("add! time.source += 'soon'") ==
          "rules.sieve:1:21: expected a relative time such as '1 hour' or '2 days', found string 'soon'");
    CHECK(refusal("if comment == 'a' & comment == 'b' { drop }") == "rules.sieve:1:19: expected '&&'");
    CHECK(refusal("if comment == 'a' { drop } }") == "rules.sieve:1:28: unexpected '}': no block is open");
    CHECK(refusal("/* no */ drop") ==
          "rules.sieve:1:1: '/* */' comments are not part of the sieve language; use '#' or '//'");
    CHECK(refusal("if { drop }") == "rules.sieve:1:4: expected a condition after 'if', found '{'");
    CHECK(
        refusal("path").starts_with("rules.sieve:1:5: expected a path name in quotes after 'path', found end of file"));
    // columns count characters, not bytes
    CHECK(refusal("if comment == 'ü' drop").starts_with("rules.sieve:1:19: expected '{' after condition"));
}

TEST_CASE("sieve: a missing rule file or parameter is refused at start") {
    CHECK_THROWS_WITH_AS(BotHarness("expert_sieve", R"({"file":"/nonexistent/rules.sieve"})"),
                         doctest::Contains("cannot read '/nonexistent/rules.sieve'"), std::runtime_error);
    CHECK_THROWS_AS(BotHarness("expert_sieve", "{}"), std::runtime_error);
}

TEST_CASE("sieve: an empty file or one with only comments passes every event") {
    Sieve s("# nothing here\n// nor here\n");
    expect_same(s, ev());
}

TEST_CASE("sieve: a time operand that parses neither way fails only when evaluated") {
    Sieve s("if comment == 'x' && time.observation :after '10 h' { drop }\n");
    expect_same(s, ev());
    const auto r = s.run(ev(R"("comment":"x")"));
    CHECK(r.statuses[0] == SLUICE_REJECT);
    REQUIRE(r.failed.size() == 1);
    CHECK(r.failed[0].reason.find("rules.sieve:1:46") != std::string::npos);
}

TEST_CASE("sieve: string operators see numbers, booleans and lists as Python's str()") {
    Sieve s(
        "if source.port =~ '^80$' { add comment = 'port' }\n"
        "if extra.flag :contains 'True' { add comment = 'flag' }\n"
        "if extra.tags :contains \"'b'\" { add comment = 'tags' }\n"
        "if source.port == '80' { add comment = 'never' }\n");
    expect_out(s, ev(R"("source.port":80)"), ev(R"("source.port":80,"comment":"port")"));
    expect_out(s, ev(R"("extra.flag":true)"), ev(R"("extra.flag":true,"comment":"flag")"));
    expect_out(s, ev(R"("extra.tags":["a","b"])"), ev(R"("extra.tags":["a","b"],"comment":"tags")"));
}

TEST_CASE("sieve: Python value semantics") {
    using namespace sluice::sieve;
    CHECK(python_float(1.0) == "1.0");
    CHECK(python_float(100.5) == "100.5");
    CHECK(python_float(1e-5) == "1e-05");
    CHECK(python_float(1e16) == "1e+16");
    CHECK(python_float(0.0001) == "0.0001");
    CHECK(python_float(123456789.0) == "123456789.0");
    rapidjson::Document d;
    d.Parse(R"({"k":[1,2.5,"é",true,null]})");
    CHECK(json_dumps(d) == R"({"k": [1, 2.5, "\u00e9", true, null]})");
    rapidjson::Document escapes;
    escapes.Parse(R"({"s":"q\"\\ \t\u0001\u007f~"})");
    CHECK(json_dumps(escapes) == R"({"s": "q\"\\ \t\u0001\u007f~"})");  // json.dumps: only ' '..'~' bare
    CHECK(match_text(d["k"]) == "[1, 2.5, 'é', True, None]");
    rapidjson::Document a, b;
    a.Parse("[1, true, 2.0]");
    b.Parse("[1.0, 1, 2]");
    CHECK(python_equal(a, b));
    CHECK(parse_relative("4 hours") == 4 * 3600LL * 1'000'000);
    CHECK(!parse_relative("10 h"));
    CHECK(format_utc(*parse_datetime("2023-06-01T10:00-06:00")) == "2023-06-01T16:00:00+00:00");
}

TEST_CASE("sieve: the README's example loads and does what its comments say") {
    const std::string readme =
        sluice::test::read_file(sluice::test::source_dir() / "plugins" / "expert_sieve" / "README.md");
    const size_t start = readme.find("```\n") + 4;
    Sieve s(readme.substr(start, readme.find("```", start) - start), {"_default", "other-path"});
    expect_same(s, ev(R"("source.fqdn":"example.ch")"));
    expect_dropped(s, ev(R"("source.abuse_contact":"x@example.com")"));
    const auto r = s.run(ev(R"("source.ip":"192.0.0.7","source.abuse_contact":"a@b.org","comment":"x")"));
    REQUIRE(r.on("other-path").size() == 1);
    CHECK(same(r.on("other-path").front(), ev(R"("source.ip":"192.0.0.7","source.abuse_contact":"a@b.org")")));
    expect_out(s,
               ev(R"("classification.type":"phishing","source.abuse_contact":"a@b.org","source.url":"http://x.li/")"),
               ev(R"("classification.type":"phishing","source.abuse_contact":"a@b.org","source.url":"http://x.li/")"));
}

TEST_CASE("sieve: regular expressions run with RE2, Python's spellings included") {
    using sluice::sieve::PythonRegex;
    // RE2 takes all of these: no fallback to std::regex.
    for (const char* p :
         {"^http(s)?://", "(?i)EXAMPLE\\.COM\\Z", "(?P<host>[a-z]+)\\.ch", "\\Ax", "[]x]", "(?s)a.b", "(?u)abc"})
        CHECK_MESSAGE(PythonRegex::compile(p).fallback_reason().empty(), p);
    CHECK(PythonRegex::compile("(?i)EXAMPLE\\.COM\\Z").search("www.example.com"));
    CHECK_FALSE(PythonRegex::compile("(?i)EXAMPLE\\.COM\\Z").search("www.example.com.br"));
    CHECK(PythonRegex::compile("[]x]").search("a]"));  // Python: a ']' first in a class is literal
    CHECK(PythonRegex::compile("(?s)a.b").search("a\nb"));
    CHECK_FALSE(PythonRegex::compile("a.b").search("a\nb"));
    CHECK_FALSE(PythonRegex::compile("\\Ax").search("yx"));

    Sieve s("if source.fqdn =~ '(?i)^(?P<name>[a-z]+)\\.EXAMPLE\\.ch\\Z' {\n    add comment = 'match'\n}\n");
    expect_out(s, ev(R"("source.fqdn":"www.example.ch")"), ev(R"("source.fqdn":"www.example.ch","comment":"match")"));
    expect_same(s, ev(R"("source.fqdn":"www.example.ch.evil.org")"));
    CHECK(sluice::sieve::parse_rules("if source.fqdn =~ '(?i)x' { drop }\n", "rules.sieve").warnings.empty());
}

TEST_CASE("sieve: a pattern RE2 cannot take runs with std::regex, with a warning at start") {
    using sluice::sieve::PythonRegex;
    const PythonRegex backref = PythonRegex::compile("(\\w)\\1");  // a backreference: not RE2
    CHECK(backref.fallback_reason().find("\\1") != std::string::npos);
    CHECK(backref.search("mail.hello.org"));
    CHECK_FALSE(backref.search("mail.helo.org"));
    const PythonRegex lookahead = PythonRegex::compile("^www\\.(?!example)");
    CHECK_FALSE(lookahead.fallback_reason().empty());
    CHECK(lookahead.search("www.other.org"));
    CHECK_FALSE(lookahead.search("www.example.org"));

    const auto prog = sluice::sieve::parse_rules("if source.fqdn =~ '(\\w)\\1' { drop }\n", "rules.sieve");
    REQUIRE(prog.warnings.size() == 1);
    CHECK(prog.warnings.front().starts_with("rules.sieve:1:19: the regular expression '(\\w)\\1' is not RE2 syntax ("));

    Sieve s("if source.fqdn =~ '(\\w)\\1' {\n    add comment = 'double letter'\n}\n");
    expect_out(s, ev(R"("source.fqdn":"mail.hello.org")"),
               ev(R"("source.fqdn":"mail.hello.org","comment":"double letter")"));
    expect_same(s, ev(R"("source.fqdn":"mail.helo.org")"));
}

TEST_CASE("sieve: a pattern neither RE2 nor std::regex takes is refused at start with both reasons") {
    CHECK(refusal("if source.fqdn =~ '(?<=www\\.)x' { drop }\n") ==
          "rules.sieve:1:19: invalid regular expression '(?<=www\\.)x': invalid perl operator: (?< (RE2), lookbehind "
          "(?<=...) is not supported (std::regex)");
    CHECK(refusal("if source.fqdn :regexin ['ok', '(?x) a'] { drop }\n") ==
          "rules.sieve:1:32: invalid regular expression '(?x) a': the inline flag (?x) is not supported (RE2), the "
          "inline flag (?x) is not supported (std::regex)");
}

TEST_CASE("sieve: a field the rules changed is read again, the others keep their decoded types") {
    // The event's JSON is decoded once; a change marks only the changed key stale.
    Sieve s(
        "add! source.port = 80\n"
        "if source.port == 80 && source.port != '80' { add comment = 'number' }\n"
        "add! extra.n = '80'\n"
        "if extra.n == '80' && source.ip == '127.0.0.1' { add! extra.seen = true }\n"
        "remove comment\n"
        "if :notexists comment && comment != 'number' && extra.seen == true { add! extra.done = 1 }\n");
    expect_out(s, ev(R"("source.port":443)"),
               ev(R"("source.port":80,"extra.n":"80","extra.seen":true,"extra.done":1)"));
}

TEST_CASE("sieve: a string whose text looks like JSON stays a string, and a changed string is read again") {
    // field_get gives "true" for both the string and the boolean: the event's JSON tells them apart.
    Sieve s(
        "if comment == 'true' && extra.flag == true && extra.flag != 'true' "
        "{ add extra.types = 'right' }\n"
        "if source.fqdn == 'a.example' { add! source.fqdn = 'b.example' }\n"
        "if source.fqdn == 'b.example' && source.fqdn != 'a.example' { add extra.reread = 'yes' }\n");
    expect_out(s, ev(R"("comment":"true","extra.flag":true,"source.fqdn":"a.example")"),
               ev(R"("comment":"true","extra.flag":true,"source.fqdn":"b.example","extra.types":"right",)"
                  R"("extra.reread":"yes")"));
    expect_out(s, ev(R"("comment":"[1]","source.fqdn":"a.example")"),
               ev(R"("comment":"[1]","source.fqdn":"b.example","extra.reread":"yes")"));
}
