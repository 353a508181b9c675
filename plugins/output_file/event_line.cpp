// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The whole-event line is the host's JSON without `raw` and/or `__type`. It used to be parsed into a
// DOM and written again; that was a third of the bot's time. Now:
//  - the fast path copies the host's compact JSON member by member, leaving those two out, and
//    re-writes through RapidJSON only the number tokens RapidJSON might spell differently;
//  - anything the fast path does not recognise as "what RapidJSON's Writer would print anyway"
//    (whitespace, \u escapes, odd numbers, deep nesting, invalid JSON) goes through RapidJSON's
//    SAX Reader into its Writer, which gives the bytes the DOM round trip gave, errors included.
// Both keep the members in the host's order.
#include "event_line.hpp"

#include <rapidjson/document.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sluice/codec.hpp>

#include <cstdint>
#include <cstring>

namespace sluice::output_file {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
constexpr unsigned kParseFlags = rapidjson::kParseFullPrecisionFlag;  // as the DOM parse was done
constexpr int kMaxFastDepth = 64;                                     // the host's own nesting limit

// Which top-level members are left out of the line: the first `raw` and the first `__type`, as
// the DOM's RemoveMember did (the host never writes a key twice; this only keeps the two paths equal).
struct Omit {
    bool raw = false;
    bool type = false;
    bool operator()(std::string_view key) {
        if (raw && key == "raw") return raw = false, true;
        if (type && key == "__type") return type = false, true;
        return false;
    }
};

// ---- The fallback: SAX from the host's text straight into a Writer, skipping the omitted members.

class OmittingHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, OmittingHandler> {
 public:
    OmittingHandler(JsonWriter& writer, Omit omit) : w_(writer), omit_(omit) {}

    bool StartObject() {
        if (skipping_) return ++skip_depth_, true;
        ++depth_;
        return w_.StartObject();
    }
    bool EndObject(rapidjson::SizeType n) {
        if (skipping_) return end_skipped_container();
        --depth_;
        return w_.EndObject(n);
    }
    bool StartArray() {
        if (depth_ == 0 && !skipping_) return false;  // the event must be an object
        if (skipping_) return ++skip_depth_, true;
        ++depth_;
        return w_.StartArray();
    }
    bool EndArray(rapidjson::SizeType n) {
        if (skipping_) return end_skipped_container();
        --depth_;
        return w_.EndArray(n);
    }
    bool Key(const char* s, rapidjson::SizeType len, bool copy) {
        if (skipping_) return true;
        if (depth_ == 1 && omit_(std::string_view(s, len))) {
            skipping_ = true;
            skip_depth_ = 0;
            return true;
        }
        return w_.Key(s, len, copy);
    }
    bool Null() {
        return scalar([&] { return w_.Null(); });
    }
    bool Bool(bool b) {
        return scalar([&] { return w_.Bool(b); });
    }
    bool Int(int i) {
        return scalar([&] { return w_.Int(i); });
    }
    bool Uint(unsigned u) {
        return scalar([&] { return w_.Uint(u); });
    }
    bool Int64(int64_t i) {
        return scalar([&] { return w_.Int64(i); });
    }
    bool Uint64(uint64_t u) {
        return scalar([&] { return w_.Uint64(u); });
    }
    bool Double(double d) {
        return scalar([&] { return w_.Double(d); });
    }
    bool String(const char* s, rapidjson::SizeType len, bool copy) {
        return scalar([&] { return w_.String(s, len, copy); });
    }

 private:
    template <class F>
    bool scalar(F&& write) {
        if (skipping_) {
            if (skip_depth_ == 0) skipping_ = false;  // the omitted member's whole value was a scalar
            return true;
        }
        if (depth_ == 0) return false;  // the event must be an object
        return write();
    }
    bool end_skipped_container() {
        if (--skip_depth_ == 0) skipping_ = false;
        return true;
    }

    JsonWriter& w_;
    Omit omit_;
    int depth_ = 0;
    bool skipping_ = false;
    int skip_depth_ = 0;
};

void append_through_rapidjson(std::string_view json, Omit omit, std::string& out) {
    rapidjson::StringBuffer buf;
    JsonWriter writer(buf);
    OmittingHandler handler(writer, omit);
    rapidjson::Reader reader;
    rapidjson::MemoryStream ms(json.data(), json.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
    if (!reader.Parse<kParseFlags>(is, handler)) {
        throw std::runtime_error("the host gave an event that is not a JSON object");
    }
    out.append(buf.GetString(), buf.GetSize());
}

// ---- The fast path: a copying scanner for the compact JSON the host writes.

// Thrown inside the scanner when the text is not in the shape it copies verbatim.
struct NotCompact {};

class CompactCopier {
 public:
    CompactCopier(std::string_view json, Omit omit, std::string& out)
        : p_(json.data()), end_(json.data() + json.size()), omit_(omit), out_(out) {}

    void copy_event() {
        expect('{');
        out_ += '{';
        bool first = true;
        if (peek() != '}') {
            for (;;) {
                const char* key_begin = p_;
                const std::string_view key = skip_string();
                expect(':');
                if (omit_(key)) {
                    skip_value(1);
                } else {
                    if (!first) out_ += ',';
                    first = false;
                    out_.append(key_begin, p_ - key_begin);  // "key":
                    copy_value(1);
                }
                if (peek() == ',') {
                    ++p_;
                    continue;
                }
                break;
            }
        }
        expect('}');
        out_ += '}';
        if (p_ != end_) throw NotCompact{};
    }

 private:
    char peek() const {
        if (p_ == end_) throw NotCompact{};
        return *p_;
    }
    void expect(char c) {
        if (peek() != c) throw NotCompact{};
        ++p_;
    }

    // Steps over a string whose escapes are only those RapidJSON's Writer writes the same way;
    // returns its raw text between the quotes (escapes as written: fine for comparing with names
    // that have none).
    // Steps 8 bytes at a time over string text holding no '"', '\\' or control character (the
    // raw field alone is a few hundred such bytes), stopping at the 8 bytes that hold one.
    const char* skip_plain(const char* c) const {
        constexpr uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        const auto has_zero_byte = [](uint64_t v) { return ((v - ones) & ~v & highs) != 0; };
        for (; end_ - c >= 8; c += 8) {
            uint64_t v;
            std::memcpy(&v, c, 8);
            // A byte below 0x20 (its subtraction borrows), or equal to '"' or '\\'.
            const bool special = (((v - ones * 0x20) & ~v & highs) != 0) || has_zero_byte(v ^ (ones * '"')) ||
                                 has_zero_byte(v ^ (ones * '\\'));
            if (special) break;
        }
        return c;
    }

    std::string_view skip_string() {
        expect('"');
        const char* const begin = p_;
        for (const char* c = p_; c < end_; ++c) {
            c = skip_plain(c);
            if (c == end_) break;
            const auto u = static_cast<unsigned char>(*c);
            if (u == '"') {
                p_ = c + 1;
                return std::string_view(begin, c - begin);
            }
            if (u < 0x20) throw NotCompact{};  // invalid JSON: RapidJSON will say so
            if (u == '\\') {
                // \uXXXX and \/ come back from RapidJSON's Writer differently (uppercase hex, '/').
                if (c + 1 == end_ || c[1] == '\0' || std::strchr("\"\\bfnrt", c[1]) == nullptr) throw NotCompact{};
                ++c;
            }
        }
        throw NotCompact{};
    }

    void copy_value(int depth) {
        const char* begin = p_;
        const char c = peek();
        if (c == '-' || (c >= '0' && c <= '9')) {
            copy_number();
            return;
        }
        skip_value(depth);
        out_.append(begin, p_ - begin);
    }

    // Skips a value that contains no number RapidJSON would spell differently (numbers inside
    // nested values are checked here, so a nested value can be copied as one block).
    void skip_value(int depth) {
        if (depth > kMaxFastDepth) throw NotCompact{};
        switch (peek()) {
            case '"':
                skip_string();
                return;
            case '{':
                ++p_;
                if (peek() == '}') {
                    ++p_;
                    return;
                }
                for (;;) {
                    skip_string();
                    expect(':');
                    skip_value(depth + 1);
                    if (peek() == ',') {
                        ++p_;
                        continue;
                    }
                    expect('}');
                    return;
                }
            case '[':
                ++p_;
                if (peek() == ']') {
                    ++p_;
                    return;
                }
                for (;;) {
                    skip_value(depth + 1);
                    if (peek() == ',') {
                        ++p_;
                        continue;
                    }
                    expect(']');
                    return;
                }
            case 't':
                return skip_literal("true");
            case 'f':
                return skip_literal("false");
            case 'n':
                return skip_literal("null");
            default:
                if (!plain_integer(scan_number())) throw NotCompact{};
        }
    }

    void skip_literal(std::string_view word) {
        if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word)
            throw NotCompact{};
        p_ += word.size();
    }

    // The number token at p_ (grammar checked by RapidJSON later where it matters), stepped over.
    std::string_view scan_number() {
        const char* begin = p_;
        while (p_ != end_ && (std::strchr("+-.eE", *p_) || (*p_ >= '0' && *p_ <= '9')) && *p_ != '\0') ++p_;
        if (p_ == begin) throw NotCompact{};
        return std::string_view(begin, p_ - begin);
    }

    // An integer RapidJSON parses into a 64-bit int and prints back unchanged: "0" or an optional
    // '-' and up to 18 digits without a leading zero ("-0" would come back as "0").
    static bool plain_integer(std::string_view n) {
        if (n == "0") return true;
        if (!n.empty() && n.front() == '-') n.remove_prefix(1);
        if (n.empty() || n.size() > 18 || n.front() == '0') return false;
        for (char c : n)
            if (c < '0' || c > '9') return false;
        return true;
    }

    // A top-level number: copied when plain, else re-spelt by RapidJSON as the DOM round trip did.
    void copy_number() {
        const std::string_view n = scan_number();
        if (plain_integer(n)) {
            out_.append(n);
            return;
        }
        rapidjson::StringBuffer buf;
        JsonWriter writer(buf);
        rapidjson::Reader reader;
        rapidjson::MemoryStream ms(n.data(), n.size());
        rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
        if (!reader.Parse<kParseFlags>(is, writer)) throw NotCompact{};
        out_.append(buf.GetString(), buf.GetSize());
    }

    const char* p_;
    const char* const end_;
    Omit omit_;
    std::string& out_;
};

void append_whole_event(const LineFormat& format, const sluice::Message& event, std::string& out) {
    const std::string_view json = event.json(format.hierarchical);
    if (format.keep_raw_field && format.with_type) {
        out.append(json);
        return;
    }
    const Omit omit{!format.keep_raw_field, !format.with_type};
    const size_t before = out.size();
    try {
        CompactCopier(json, omit, out).copy_event();
    } catch (const NotCompact&) {
        out.resize(before);
        append_through_rapidjson(json, omit, out);
    }
}

void append_output_field(std::string_view value, std::string& out) {
    rapidjson::Document doc;
    doc.Parse(value.data(), value.size());
    if (!doc.HasParseError() && doc.IsString()) {
        out.append(doc.GetString(), doc.GetStringLength());
    } else {
        out.append(value);
    }
}

}  // namespace

bool append_event_line(const LineFormat& format, const sluice::Message& event, std::string& out) {
    if (format.single_key.empty()) {
        append_whole_event(format, event, out);
    } else {
        const auto value = event.get(format.single_key);
        if (!value) return false;
        if (format.single_key == "raw") {
            try {
                out.append(sluice::base64::decode(*value));
            } catch (const sluice::base64::DecodeError& e) {
                throw sluice::RejectError(std::string("field raw: ") + e.what());
            }
        } else if (format.single_key == "output") {
            append_output_field(*value, out);
        } else {
            out.append(*value);
        }
    }
    out += '\n';
    return true;
}

}  // namespace sluice::output_file
