// SPDX-License-Identifier: AGPL-3.0-or-later
// Messages: IntelMQ's semantics of writing fields, and its JSON wire format.
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <string_view>

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

TEST_CASE("an unchanged decoded message is written out as the bytes it came in, a changed one anew") {
    Message m(MessageType::event, harmonization());
    std::string why;
    // Spacing the host itself would not write: the bytes written show which path was taken.
    const std::string wire = R"({"__type": "Event", "source.ip": "192.0.2.1", "extra.n": [1, 2]})";
    const std::string with_trailing = wire + "  trailing";  // must outlive m's use of it
    REQUIRE(Message::decode(with_trailing, m, why, true));
    CHECK(m.json() == wire);
    REQUIRE(m.set("source.port", "80") == SetResult::ok);
    CHECK(m.json() == R"({"__type":"Event","source.ip":"192.0.2.1","extra.n":[1,2],"source.port":80})");

    // Without keep_source, or when decoding changed anything, the message is serialized again.
    REQUIRE(Message::decode(wire, m, why));
    CHECK(m.json() == R"({"__type":"Event","source.ip":"192.0.2.1","extra.n":[1,2]})");
    REQUIRE(Message::decode(R"({"__type": "Event", "source.ip": "192.000.002.001"})", m, why, true));
    CHECK(m.json() == R"({"__type":"Event","source.ip":"192.0.2.1"})");
    REQUIRE(Message::decode(R"({"__type": "Event", "source.ip": "192.0.2.1", "source.fqdn": null})", m, why, true));
    CHECK(m.json() == R"({"__type":"Event","source.ip":"192.0.2.1"})");
    REQUIRE(Message::decode(R"({"__type": "Event", "extra": {"a": 1}})", m, why, true));
    CHECK(m.json() == R"({"__type":"Event","extra.a":1})");

    // A copy, a removal and clear() all leave the source behind.
    REQUIRE(Message::decode(wire, m, why, true));
    const Message copy = m;
    CHECK(copy.json() == R"({"__type":"Event","source.ip":"192.0.2.1","extra.n":[1,2]})");
    REQUIRE(m.remove("extra.n"));
    CHECK(m.json() == R"({"__type":"Event","source.ip":"192.0.2.1"})");
    REQUIRE(Message::decode(wire, m, why, true));
    m.clear();
    CHECK(m.json() == R"({"__type":"Event"})");
}

TEST_CASE("a value over a megabyte decodes intact and keeps its place among the fields") {
    std::string raw;
    for (size_t i = 0; raw.size() < (3u << 20) / 2; ++i) raw += "QUJD" + std::string(1, "ABCDEFGH"[i % 8]) + "xyz";
    const std::string wire =
        R"({"__type":"Report","feed.name":"big","raw":")" + raw +
        R"(","feed.url":"http://example.com/feed","time.observation":"2026-11-28T00:00:00+00:00"})";
    Message m(MessageType::event, harmonization());
    std::string why;
    REQUIRE(Message::decode(wire, m, why));
    REQUIRE(m.fields().size() == 4);
    CHECK(m.fields()[0].key == "feed.name");
    CHECK(m.fields()[1].key == "raw");
    CHECK(m.fields()[1].text == raw);
    CHECK(m.fields()[2].key == "feed.url");
    CHECK(m.json() == wire);
    // The next decode is not disturbed by the previous one having taken the decode buffer.
    REQUIRE(Message::decode(R"({"__type":"Event","source.ip":"192.0.2.1"})", m, why));
    CHECK(m.json() == R"({"__type":"Event","source.ip":"192.0.2.1"})");
}

TEST_CASE("characters that need escaping are escaped at every position of a string") {
    // A reference escaper, one byte at a time, against the host's (which scans 16 bytes at a time).
    const auto reference = [](std::string_view s) {
        static const char hex[] = "0123456789abcdef";
        std::string out = "\"";
        for (unsigned char c : s) {
            if (c == '"')
                out += "\\\"";
            else if (c == '\\')
                out += "\\\\";
            else if (c == '\n')
                out += "\\n";
            else if (c == '\r')
                out += "\\r";
            else if (c == '\t')
                out += "\\t";
            else if (c == '\b')
                out += "\\b";
            else if (c == '\f')
                out += "\\f";
            else if (c < 0x20)
                out += std::string("\\u00") + hex[c >> 4] + hex[c & 15];
            else
                out += static_cast<char>(c);
        }
        return out + "\"";
    };
    for (const char special : {'"', '\\', '\n', '\x01', '\x1f'}) {
        for (size_t at = 0; at < 40; ++at) {
            std::string s(40, 'a');
            s[at] = special;
            s += "\xc3\xa9 \x7f end";  // UTF-8 and DEL pass through unescaped
            std::string out;
            sluice::append_json_string(out, s);
            CHECK(out == reference(s));
        }
    }
}

// A report's huge raw, decoded with keep_source (as the host decodes its input), is not copied:
// its field refers to the record. Only that message may refer to it: copies, changed values and
// cleared messages own their text, and a decode without keep_source never refers to its input.
// parser_csv's memory on one huge report rests on this.
namespace {

// Valid base64 of about 1.5 MiB: over the size from which a value is not copied.
std::string big_base64() {
    std::string raw;
    for (size_t i = 0; raw.size() < (3u << 20) / 2; ++i) raw += "QUJD" + std::string(1, "ABCDEFGH"[i % 8]) + "xyz";
    return raw;
}

std::string report_with_raw(std::string_view raw) {
    return R"({"__type":"Report","feed.name":"big","raw":")" + std::string(raw) +
           R"(","feed.url":"http://example.com/feed","time.observation":"2026-11-28T00:00:00+00:00"})";
}

// Whether `text` lies within `buffer` (std::less_equal: pointers of unrelated objects compare).
bool points_into(std::string_view text, std::string_view buffer) {
    const std::less_equal<const char*> le;
    return le(buffer.data(), text.data()) && le(text.data() + text.size(), buffer.data() + buffer.size());
}

// A report with a huge raw, as a host's input record, and a message to decode it into.
struct BigReport {
    const std::string raw = big_base64();
    const std::string wire = report_with_raw(raw);
    Message m{MessageType::event, harmonization()};
    std::string why;
};

}  // namespace

TEST_CASE_FIXTURE(BigReport,
                  "a huge raw decoded with keep_source refers to the record, in its place among the fields") {
    REQUIRE(Message::decode(wire, m, why, true));
    REQUIRE(m.fields().size() == 4);
    CHECK(m.fields()[0].key == "feed.name");
    CHECK(m.fields()[1].key == "raw");
    CHECK(m.fields()[2].key == "feed.url");
    CHECK(m.fields()[1].text == raw);
    CHECK(m.fields()[1].text.borrowed());
    CHECK(points_into(m.fields()[1].text, wire));
    CHECK_FALSE(m.fields()[0].text.borrowed());
    CHECK(m.json() == wire);
}

TEST_CASE("a copy of a message with a borrowed raw owns its raw and outlives the record") {
    const std::string raw = big_base64();
    Message m(MessageType::event, harmonization());
    Message assigned(MessageType::event, harmonization());
    std::string why;
    {
        std::string wire = report_with_raw(raw);
        REQUIRE(Message::decode(wire, m, why, true));
        REQUIRE(m.find("raw")->text.borrowed());
        Message copy(m);
        assigned = m;
        CHECK_FALSE(copy.find("raw")->text.borrowed());
        CHECK_FALSE(points_into(copy.find("raw")->text, wire));
        m.clear();  // as the host does before the record goes
        CHECK(m.fields().empty());
        wire.assign(wire.size(), 'x');  // the record is overwritten, then freed
        CHECK(copy.find("raw")->text == raw);
    }
    REQUIRE(assigned.find("raw"));
    CHECK_FALSE(assigned.find("raw")->text.borrowed());
    CHECK(assigned.find("raw")->text == raw);
    CHECK(assigned.json() == report_with_raw(raw));
    // The cleared message's fields are reused by the next decode without a trace of the old record.
    REQUIRE(Message::decode(R"({"__type":"Report","raw":"QUJD"})", m, why, true));
    CHECK(m.find("raw")->text == "QUJD");
    CHECK_FALSE(m.find("raw")->text.borrowed());
}

TEST_CASE_FIXTURE(BigReport, "a borrowed raw that is written anew owns the new value") {
    REQUIRE(Message::decode(wire, m, why, true));
    REQUIRE(m.set("raw", "QUJD", true) == sluice::SetResult::ok);
    CHECK_FALSE(m.find("raw")->text.borrowed());
    CHECK(m.find("raw")->text == "UVVKRA==");  // set() takes raw as plain text and encodes it
    m.put_trusted("raw", std::string_view(raw).substr(0, 8), sluice::ValueKind::string);
    CHECK_FALSE(m.find("raw")->text.borrowed());
    CHECK(m.find("raw")->text == raw.substr(0, 8));
}

TEST_CASE_FIXTURE(BigReport, "without keep_source a huge raw is never borrowed from the input") {
    REQUIRE(Message::decode(wire, m, why));
    CHECK_FALSE(m.find("raw")->text.borrowed());
    CHECK_FALSE(points_into(m.find("raw")->text, wire));
    CHECK(m.find("raw")->text == raw);
    CHECK(m.json() == wire);
}

TEST_CASE("huge strings with escapes, huge keys and huge nested strings decode as before with keep_source") {
    Message m(MessageType::event, harmonization());
    Message reference(MessageType::event, harmonization());
    std::string why, why_reference;
    const std::string big(1u << 20, 'a');

    SUBCASE("an escaped huge string is unescaped, not borrowed") {
        const std::string wire = R"({"__type":"Event","comment":")" + big + R"(\n\u00e9\"x"})";
        REQUIRE(Message::decode(wire, m, why, true));
        CHECK(m.find("comment")->text == big + "\n\xc3\xa9\"x");
        CHECK_FALSE(m.find("comment")->text.borrowed());
        CHECK(m.json() == wire);
    }
    SUBCASE("a huge extra value nested in an object is kept in the object's JSON") {
        const std::string wire = R"({"__type":"Event","extra.big":{"k":")" + big + R"("},"comment":"c"})";
        REQUIRE(Message::decode(wire, m, why, true));
        CHECK(m.find("extra.big")->text == R"({"k":")" + big + R"("})");
        CHECK(m.find("comment")->text == "c");
        CHECK(m.json() == wire);
    }
    SUBCASE("a huge key is named in the refusal, as without keep_source") {
        const std::string wire = R"({"__type":"Event",")" + big + R"(":"v"})";
        CHECK_FALSE(Message::decode(wire, m, why, true));
        CHECK_FALSE(Message::decode(wire, reference, why_reference));
        CHECK(why == why_reference);
        CHECK(why.find(big) != std::string::npos);
    }
    SUBCASE("a syntax error after a huge string is reported at its byte in the record") {
        const std::string wire = R"({"__type":"Report","raw":")" + big_base64() + R"(",x})";
        CHECK_FALSE(Message::decode(wire, m, why, true));
        CHECK_FALSE(Message::decode(wire, reference, why_reference));
        CHECK(why == why_reference);
        CHECK(why == "not valid JSON (error at byte " + std::to_string(wire.size() - 2) + ")");
    }
    SUBCASE("an unterminated huge string is refused") {
        const std::string wire = R"({"__type":"Report","raw":")" + big_base64();
        CHECK_FALSE(Message::decode(wire, m, why, true));
        CHECK_FALSE(Message::decode(wire, reference, why_reference));
        CHECK(why == why_reference);
    }
    SUBCASE("text after the message is not part of its source") {
        const std::string message = report_with_raw(big_base64());
        const std::string record = message + "\n";  // the source must outlive the message
        REQUIRE(Message::decode(record, m, why, true));
        CHECK(m.json() == message);
    }
}
