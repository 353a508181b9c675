// SPDX-License-Identifier: AGPL-3.0-or-later
// Messages: IntelMQ's semantics of writing fields, and its JSON wire format.
#include <doctest/doctest.h>

#include "sluice/core/defaults.hpp"
#include "sluice/core/message.hpp"

using sluice::Harmonization;
using sluice::Message;
using sluice::MessageType;
using sluice::SetResult;

namespace {
const Harmonization& harmonization() {
    static const Harmonization h = Harmonization::load(sluice::default_harmonization_file());
    return h;
}
}  // namespace

TEST_CASE("the shipped harmonization has IntelMQ's 82 event and 10 report fields") {
    CHECK(harmonization().fields(MessageType::event).size() == 82);
    CHECK(harmonization().fields(MessageType::report).size() == 10);
}

TEST_CASE("writing a field sanitizes it, ignores placeholders and refuses unknown keys") {
    Message m(MessageType::event, harmonization());
    CHECK(m.set("source.ip", " 192.000.002.001 ") == SetResult::ok);
    CHECK(m.find("source.ip")->text == "192.0.2.1");
    CHECK(m.set("source.fqdn", "-") == SetResult::ignored);
    CHECK(m.set("source.fqdn", "N/A") == SetResult::ignored);
    CHECK(m.set("source.fqdn", "") == SetResult::ignored);
    CHECK_FALSE(m.has("source.fqdn"));
    std::string why;
    CHECK(m.set("source.nonsense", "x", false, false, &why) == SetResult::unknown_key);
    CHECK(why.find("source.nonsense") != std::string::npos);
    CHECK(m.set("source.ip", "not an ip", true, false, &why) == SetResult::invalid);
    CHECK(why.find("IPAddress") != std::string::npos);
    CHECK(m.find("source.ip")->text == "192.0.2.1");  // a refused write changes nothing
}

TEST_CASE("an existing key is only replaced with overwrite") {
    Message m(MessageType::event, harmonization());
    REQUIRE(m.set("source.port", "80") == SetResult::ok);
    CHECK(m.set("source.port", "443") == SetResult::exists);
    CHECK(m.find("source.port")->text == "80");
    CHECK(m.set("source.port", "443", true) == SetResult::ok);
    CHECK(m.find("source.port")->text == "443");
}

TEST_CASE("extra explodes into extra.* keys that keep their JSON types") {
    Message m(MessageType::event, harmonization());
    REQUIRE(m.set("extra", R"({"count": 3, "tags": ["a", "b"], "name": "x"})") == SetResult::ok);
    CHECK(m.json() == R"({"__type":"Event","extra.count":3,"extra.tags":["a","b"],"extra.name":"x"})");
}

TEST_CASE("decoding keeps valid values byte for byte and sanitizes the others") {
    Message m(MessageType::report, harmonization());
    std::string why;
    REQUIRE(Message::decode(
        R"({"__type":"Event","source.ip":"192.000.002.001","source.port":80,"feed.accuracy":99.5,"extra.x":{"k":[1,2]}})",
        m, why));
    CHECK(m.type() == MessageType::event);
    CHECK(m.find("source.ip")->text == "192.0.2.1");
    CHECK(m.json() ==
          R"({"__type":"Event","source.ip":"192.0.2.1","source.port":80,"feed.accuracy":99.5,"extra.x":{"k":[1,2]}})");
}

TEST_CASE("decoding refuses what is not a message, saying why") {
    Message m(MessageType::event, harmonization());
    std::string why;
    CHECK_FALSE(Message::decode("not json", m, why));
    CHECK(why.find("not valid JSON") != std::string::npos);
    CHECK_FALSE(Message::decode(R"({"source.ip":"192.0.2.1"})", m, why));
    CHECK(why == "no __type");
    CHECK_FALSE(Message::decode(R"({"__type":"Event","source.ip":"nope"})", m, why));
    CHECK(why.find("source.ip") != std::string::npos);
    CHECK_FALSE(Message::decode(R"({"__type":"Event","bogus.key":"1"})", m, why));
    CHECK(why.find("bogus.key") != std::string::npos);
    CHECK_FALSE(Message::decode(R"({"__type":"Thing"})", m, why));
}

TEST_CASE("strings are escaped so the wire format round-trips") {
    Message m(MessageType::event, harmonization());
    REQUIRE(m.set("event_description.text", "quote \" backslash \\ newline \n tab \t bell \x07") == SetResult::ok);
    const std::string wire = m.json();
    Message back(MessageType::event, harmonization());
    std::string why;
    REQUIRE(Message::decode(wire, back, why));
    CHECK(back.find("event_description.text")->text == m.find("event_description.text")->text);
}

TEST_CASE("hierarchical output nests the dotted keys") {
    Message m(MessageType::event, harmonization());
    REQUIRE(m.set("source.ip", "192.0.2.1") == SetResult::ok);
    REQUIRE(m.set("source.port", "80") == SetResult::ok);
    REQUIRE(m.set("classification.type", "scanner") == SetResult::ok);
    std::string out;
    m.to_hierarchical_json(out);
    CHECK(out == R"({"source":{"ip":"192.0.2.1","port":80},"classification":{"type":"scanner"}})");
}

TEST_CASE("a message nested too deep is refused with a reason, not a crash") {
    const Harmonization h = Harmonization::load(sluice::default_harmonization_file());
    Message m(MessageType::event, h);
    std::string why;
    const std::string deep =
        R"({"__type":"Event","extra.x":)" + std::string(200000, '[') + std::string(200000, ']') + "}";
    CHECK_FALSE(sluice::Message::decode(deep, m, why));
    CHECK(why.find("nested deeper than 64 levels") != std::string::npos);
    const std::string fine = R"({"__type":"Event","extra.x":[[["ok"]]]})";
    CHECK(sluice::Message::decode(fine, m, why));
}
