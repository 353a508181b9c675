// SPDX-License-Identifier: AGPL-3.0-or-later
// sluice/codec.hpp's base64::decode, which parsers run over every report: exact bytes for every
// padding case and every byte value, and the same refusals (with the offset of the first bad
// character) wherever in the input the bad character is — in the last group of four, which may
// hold padding, and in the groups before it, which are decoded by a separate, faster loop.
#include <doctest/doctest.h>
#include <sluice/codec.hpp>

#include <string>
#include <vector>

namespace {

// The message of the DecodeError that decode throws for `in`, or "" when it does not throw.
std::string refusal(const std::string& in) {
    try {
        (void)sluice::base64::decode(in);
    } catch (const sluice::base64::DecodeError& e) {
        return e.what();
    }
    return "";
}

std::string at(size_t offset) { return "invalid base64: unexpected character at offset " + std::to_string(offset); }

}  // namespace

TEST_CASE("base64 decode gives the exact bytes for every length and padding") {
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
    for (size_t len = 0; len <= bytes.size(); ++len) {
        const std::string plain = bytes.substr(bytes.size() - len);  // all byte values, all 3 paddings
        INFO("length " << len);
        CHECK(sluice::base64::decode(sluice::base64::encode(plain)) == plain);
    }
    CHECK(sluice::base64::decode("") == "");
    CHECK(sluice::base64::decode("////") == "\xff\xff\xff");
    CHECK(sluice::base64::decode("++++") == "\xfb\xef\xbe");
    CHECK(sluice::base64::decode("AAAA") == std::string(3, '\0'));
    CHECK(sluice::base64::decode("YWJjZA==") == "abcd");
    CHECK(sluice::base64::decode("YWJjZGU=") == "abcde");
}

TEST_CASE("base64 decode refuses a length that is not a multiple of four, naming it") {
    CHECK(refusal("Y") == "invalid base64: length 1 is not a multiple of 4");
    CHECK(refusal("YWJjZ") == "invalid base64: length 5 is not a multiple of 4");
    CHECK(refusal("YWJjZA=") == "invalid base64: length 7 is not a multiple of 4");
}

TEST_CASE("base64 decode names the first character outside the alphabet, in any group") {
    CHECK(refusal("YWJj") == "");
    CHECK(refusal("YW Jj") == "invalid base64: length 5 is not a multiple of 4");
    CHECK(refusal("Y\nJj") == at(1));                  // the only group
    CHECK(refusal("YWJj-WJjYWJj") == at(4));           // a group before the last
    CHECK(refusal("YWJjYWJjYW_j") == at(10));          // the last group
    CHECK(refusal("YWJjYW\x80jYW\x01j") == at(6));     // the first of two bad characters
    CHECK(refusal(std::string("YW\0j", 4)) == at(2));  // NUL is not a character of the alphabet
    CHECK(refusal(std::string(4000, 'A') + "A.AA") == at(4001));
}

TEST_CASE("base64 decode accepts '=' only as padding at the very end") {
    CHECK(refusal("YQ==") == "");
    CHECK(refusal("YWI=") == "");
    CHECK(refusal("Y===") == at(1));  // three '=' : the first is not padding
    CHECK(refusal("====") == at(0));
    CHECK(refusal("YQ=a") == at(2));      // '=' followed by data
    CHECK(refusal("YQ==YWI=") == at(2));  // padding in a group before the last
    CHECK(refusal("Y=Q=") == at(1));
}

namespace {

// What base64::Decoder makes of `in` in pieces of `piece` characters: the bytes, or "refused: " and
// the message it threw.
std::string in_pieces(const std::string& in, size_t piece) {
    std::string out;
    try {
        sluice::base64::Decoder decoder(in);
        while (!decoder.done()) decoder.next(out, piece);
    } catch (const sluice::base64::DecodeError& e) {
        return std::string("refused: ") + e.what();
    }
    return out;
}

std::string at_once(const std::string& in) {
    const std::string why = refusal(in);
    return why.empty() ? sluice::base64::decode(in) : "refused: " + why;
}

}  // namespace

TEST_CASE("base64 Decoder gives decode's bytes and refusals piece by piece, whatever the piece size") {
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
    std::vector<std::string> inputs = {"",
                                       "YWJj",
                                       "YQ==",
                                       "YWI=",
                                       "Y===",
                                       "====",
                                       "YQ=a",
                                       "YQ==YWI=",
                                       "Y=Q=",
                                       "Y",
                                       "YWJjZA=",
                                       "Y\nJj",
                                       "YWJj-WJjYWJj",
                                       "YWJjYWJjYW_j",
                                       "YWJjYW\x80jYW\x01j",
                                       std::string(4000, 'A') + "A.AA"};
    for (size_t len = 0; len <= bytes.size(); len += 7) inputs.push_back(sluice::base64::encode(bytes.substr(len)));
    for (const auto& in : inputs) {
        for (size_t piece : {0, 1, 4, 5, 8, 12, 4096}) {
            INFO("input '" << in << "' in pieces of " << piece);
            CHECK(in_pieces(in, piece) == at_once(in));
        }
    }
    // Every piece but the last holds whole groups of four: 3 bytes out per 4 characters in.
    const std::string encoded = sluice::base64::encode(std::string(30, 'x'));  // 40 characters
    sluice::base64::Decoder decoder(encoded);
    std::string out;
    decoder.next(out, 10);
    CHECK(out.size() == 6);
    CHECK_FALSE(decoder.done());
    while (!decoder.done()) decoder.next(out, 10);
    CHECK(out == std::string(30, 'x'));
}
