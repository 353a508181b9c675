// SPDX-License-Identifier: AGPL-3.0-or-later
// A report's huge raw, decoded with keep_source (as the host decodes its input), is not copied:
// its field refers to the record. Only that message may refer to it: copies, changed values and
// cleared messages own their text, and a decode without keep_source never refers to its input.
// parser_csv's memory on one huge report rests on this.
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <string_view>

#include "sluice/core/defaults.hpp"
#include "sluice/core/message.hpp"

using sluice::Harmonization;
using sluice::Message;
using sluice::MessageType;

namespace {

const Harmonization& harmonization() {
    static const Harmonization h = Harmonization::load(sluice::default_harmonization_file());
    return h;
}

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

}  // namespace

TEST_CASE("a huge raw decoded with keep_source refers to the record, in its place among the fields") {
    const std::string raw = big_base64();
    const std::string wire = report_with_raw(raw);
    Message m(MessageType::event, harmonization());
    std::string why;
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

TEST_CASE("a borrowed raw that is written anew owns the new value") {
    const std::string raw = big_base64();
    const std::string wire = report_with_raw(raw);
    Message m(MessageType::event, harmonization());
    std::string why;
    REQUIRE(Message::decode(wire, m, why, true));
    REQUIRE(m.set("raw", "QUJD", true) == sluice::SetResult::ok);
    CHECK_FALSE(m.find("raw")->text.borrowed());
    CHECK(m.find("raw")->text == "UVVKRA==");  // set() takes raw as plain text and encodes it
    m.put_trusted("raw", std::string_view(raw).substr(0, 8), sluice::ValueKind::string);
    CHECK_FALSE(m.find("raw")->text.borrowed());
    CHECK(m.find("raw")->text == raw.substr(0, 8));
}

TEST_CASE("without keep_source a huge raw is never borrowed from the input") {
    const std::string raw = big_base64();
    const std::string wire = report_with_raw(raw);
    Message m(MessageType::event, harmonization());
    std::string why;
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
