// SPDX-License-Identifier: AGPL-3.0-or-later
// The JSON wire format of messages. Decoding is one SAX pass with numbers kept as their text, so a
// value read from a queue is written out again byte for byte; nested values (extra.* objects and
// arrays) are re-serialized compactly.
#include <rapidjson/document.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <sluice/codec.hpp>

#include <cstring>
#include <utility>

#include "sluice/core/message.hpp"
#include "sluice/core/utf8.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice {

namespace {

// How many bytes at the start of [p, p + n) are plain ASCII that needs no escaping in a JSON
// string (not a quote, a backslash, a control character or a byte of 0x80 and above, which must
// be checked for valid UTF-8). Values are mostly plain text: sixteen bytes at a time where SSE2 is
// there (every x86-64), one at a time after.
size_t plain_prefix(const char* p, size_t n) {
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1f);
    for (; i + 16 <= n; i += 16) {
        const __m128i s = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        const __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(s, quote), _mm_cmpeq_epi8(s, backslash)),
                                             _mm_cmpeq_epi8(_mm_max_epu8(s, control), control));  // s <= 0x1f
        // movemask also takes each byte's top bit: the bytes of 0x80 and above.
        if (const int mask = _mm_movemask_epi8(_mm_or_si128(special, s)))
            return i + static_cast<size_t>(__builtin_ctz(mask));
    }
#endif
    for (; i < n; ++i) {
        const auto c = static_cast<unsigned char>(p[i]);
        if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) return i;
    }
    return n;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    while (!s.empty()) {
        const size_t plain = plain_prefix(s.data(), s.size());
        out.append(s.data(), plain);
        if (plain == s.size()) break;
        s.remove_prefix(plain);
        if (static_cast<unsigned char>(s[0]) >= 0x80) {
            // Non-ASCII: copied when it is valid UTF-8, else U+FFFD, so that no JSON Sluice writes
            // is refused by a strict reader (utf8.hpp).
            if (const size_t n = utf8_sequence_length(s)) {
                out.append(s.data(), n);
                s.remove_prefix(n);
            } else {
                out += "\xEF\xBF\xBD";  // one for each maximal invalid subpart, as the harmonization repairs
                s.remove_prefix(utf8_invalid_length(s));
            }
            continue;
        }
        sluice::append_json_escape(out, static_cast<unsigned char>(s[0]));  // plain_prefix stopped at one
        s.remove_prefix(1);
    }
    out += '"';
}

std::string json_string_array(const std::vector<std::string>& items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, items[i]);
    }
    return out + "]";
}

namespace {

void append_value(std::string& out, const Field& f) {
    if (f.kind == ValueKind::string)
        append_json_string(out, f.text);
    else
        out += f.text;
}

}  // namespace

void Message::to_json(std::string& out) const {
    if (!source_.empty()) {
        out.append(source_);
        return;
    }
    size_t estimate = 20;  // escapes aside, the exact size: one allocation at most
    for (const auto& f : fields_) estimate += f.key.size() + f.text.size() + 6;
    out.reserve(out.size() + estimate);
    out += type_ == MessageType::event ? "{\"__type\":\"Event\"" : "{\"__type\":\"Report\"";
    for (const auto& f : fields_) {
        out += ',';
        append_json_string(out, f.key);
        out += ':';
        append_value(out, f);
    }
    out += '}';
}

void Message::to_hierarchical_json(std::string& out) const {
    rapidjson::Document doc(rapidjson::kObjectType);
    auto& a = doc.GetAllocator();
    for (const auto& f : fields_) {
        rapidjson::Value* node = &doc;
        std::string_view key = f.key;
        for (size_t dot; (dot = key.find('.')) != std::string_view::npos; key.remove_prefix(dot + 1)) {
            rapidjson::Value name(key.data(), static_cast<rapidjson::SizeType>(dot), a);
            auto it = node->FindMember(name);
            if (it == node->MemberEnd()) {
                node->AddMember(name, rapidjson::Value(rapidjson::kObjectType), a);
                it = node->FindMember(rapidjson::Value(key.data(), static_cast<rapidjson::SizeType>(dot)));
            } else if (!it->value.IsObject()) {
                it->value.SetObject();  // "a" and "a.b" both set: the nested key wins
            }
            node = &it->value;
        }
        rapidjson::Value value;
        if (f.kind == ValueKind::string) {
            value.SetString(f.text.data(), static_cast<rapidjson::SizeType>(f.text.size()), a);
        } else {
            rapidjson::Document parsed(&a);
            parsed.Parse(f.text.data(), f.text.size());
            value.CopyFrom(parsed, a);
        }
        rapidjson::Value name(key.data(), static_cast<rapidjson::SizeType>(key.size()), a);
        node->RemoveMember(name);
        node->AddMember(name, value, a);
    }
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    doc.Accept(w);
    out.append(buf.GetString(), buf.GetSize());
}

namespace {

// One top-level member as the SAX pass saw it: views into the in-situ buffer, or for a nested value
// (an extra.* object or list) its compact JSON at `nested_offset` in the nested buffer.
struct RawField {
    std::string_view key;
    std::string_view text;
    ValueKind kind;
    size_t nested_offset = 0, nested_length = 0;
    bool in_source = false;  // `text` is in the decoded JSON itself, not in the decode buffer
};

// A string of the decoded JSON left out of the decode buffer: the buffer holds "" in its place,
// and the handler, given that empty string at `at` in the buffer, takes `text` instead.
struct LeftOut {
    size_t at;              // where the string's content would start in the buffer
    std::string_view text;  // the content, in the decoded JSON
};

// The Writer's output stream for nested values: appends to a std::string the decoder keeps.
struct StringOut {
    using Ch = char;
    std::string* s;
    void Put(char c) { s->push_back(c); }
    void Flush() {}
};

// What one decode needs, kept per thread between decodes so a host decoding message after message
// does not allocate for them.
struct DecodeScratch {
    std::string buffer;  // the record, NUL-terminated and parsed in situ
    std::string nested;  // compact JSON of nested values, back to back
    std::vector<RawField> fields;
    std::vector<LeftOut> left_out;  // strings of the record not copied into `buffer`

    // The string the parser found at [s, s + len) in the buffer, or the one left out there.
    std::pair<std::string_view, bool> resolve(const char* s, size_t len) const {
        if (len == 0 && !left_out.empty()) {
            const size_t at = static_cast<size_t>(s - buffer.data());
            for (const LeftOut& l : left_out)
                if (l.at == at) return {l.text, true};
        }
        return {std::string_view(s, len), false};
    }
    // Where `offset` in the buffer is in the record.
    size_t record_offset(size_t offset) const {
        for (const LeftOut& l : left_out)
            if (l.at <= offset) offset += l.text.size();
        return offset;
    }
};

// SAX handler for one flat message object. Depth 1 is the message; deeper values are captured as
// compact JSON text for the key they belong to.
class DecodeHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, DecodeHandler> {
 public:
    // RapidJSON's reader recurses once per level: a value nested 100,000 deep would overflow the
    // host's stack. Stopping at the handler stops the recursion; no IntelMQ value nests this deep.
    static constexpr int kMaxDepth = 64;
    DecodeHandler(Message& m, DecodeScratch& scratch)
        : msg_(m),
          scratch_(scratch),
          fields_(scratch.fields),
          nested_(scratch.nested),
          out_{&scratch.nested},
          writer_(out_) {
        fields_.clear();
        nested_.clear();
    }

    bool StartObject() {
        if (depth_++ == 0) return true;
        if (depth_ > kMaxDepth) return too_deep();
        if (depth_ == 2) begin_nested();
        return writer_.StartObject();
    }
    bool EndObject(rapidjson::SizeType n) {
        if (--depth_ == 0) return true;
        writer_.EndObject(n);
        if (depth_ == 1) return finish_nested();
        return true;
    }
    bool StartArray() {
        if (depth_ == 0) return fail("a message must be a JSON object, not an array");
        if (++depth_ > kMaxDepth) return too_deep();
        if (depth_ == 2) begin_nested();
        return writer_.StartArray();
    }
    bool EndArray(rapidjson::SizeType n) {
        writer_.EndArray(n);
        if (--depth_ == 1) return finish_nested();
        return true;
    }
    bool Key(const char* s, rapidjson::SizeType len, bool) {
        const std::string_view key = scratch_.resolve(s, len).first;
        if (depth_ == 1) {
            key_ = key;
            return true;
        }
        return writer_.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    }
    bool String(const char* s, rapidjson::SizeType len, bool) {
        if (depth_ == 0) return fail("a message must be a JSON object");
        const auto [text, in_source] = scratch_.resolve(s, len);
        if (depth_ > 1) return writer_.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
        return scalar(text, ValueKind::string, in_source);
    }
    bool RawNumber(const char* s, rapidjson::SizeType len, bool) {
        if (depth_ > 1) return writer_.RawValue(s, len, rapidjson::kNumberType);
        return scalar(std::string_view(s, len), ValueKind::number);
    }
    bool Bool(bool b) {
        if (depth_ > 1) return writer_.Bool(b);
        return scalar(b ? "true" : "false", ValueKind::boolean);
    }
    bool Null() {
        if (depth_ > 1) return writer_.Null();
        dropped_null_ = true;
        return true;  // IntelMQ drops None values
    }
    bool Default() { return fail("unexpected JSON value"); }

    const std::string& error() const { return error_; }
    bool saw_type() const { return saw_type_; }
    bool dropped_null() const { return dropped_null_; }

 private:
    bool fail(std::string why) {
        error_ = std::move(why);
        return false;
    }
    bool too_deep() { return fail("a value is nested deeper than " + std::to_string(kMaxDepth) + " levels"); }
    void begin_nested() {
        nested_start_ = nested_.size();
        writer_.Reset(out_);
    }
    bool finish_nested() {
        // The text is resolved after the pass: nested_ may still grow and move.
        fields_.push_back(RawField{key_, {}, ValueKind::json, nested_start_, nested_.size() - nested_start_});
        return true;
    }

    bool scalar(std::string_view text, ValueKind kind, bool in_source = false) {
        if (key_ == "__type") {
            if (text == "Event")
                msg_.set_type(MessageType::event);
            else if (text == "Report")
                msg_.set_type(MessageType::report);
            else
                return fail("__type must be \"Event\" or \"Report\", not \"" + std::string(text) + "\"");
            saw_type_ = true;
            return true;
        }
        fields_.push_back(RawField{key_, text, kind, 0, 0, in_source});
        return true;
    }

    Message& msg_;
    const DecodeScratch& scratch_;
    std::vector<RawField>& fields_;
    std::string& nested_;
    StringOut out_;
    rapidjson::Writer<StringOut> writer_;
    int depth_ = 0;
    std::string_view key_;
    size_t nested_start_ = 0;
    std::string error_;
    bool saw_type_ = false;
    bool dropped_null_ = false;
};

bool needs_check(const FieldSpec& spec, std::string_view text) {
    if (!spec.type->is_valid(text)) return true;
    if (spec.max_length && text.size() > spec.max_length) return true;
    return !spec.matches(text);
}

bool is_extra_key(std::string_view key) { return key.size() > 6 && key.compare(0, 6, "extra.") == 0; }

// A string value this large (a report's raw) is not copied out of the decode buffer: the buffer
// itself becomes the field's text, so a huge report is held once by the decode, not twice.
constexpr size_t kAdoptBufferBytes = 1u << 20;
// A string this large that needs no unescaping, in JSON the caller keeps (keep_source), is not
// copied at all: its field refers to it, so a huge report is held once, by the caller.
constexpr size_t kBorrowBytes = 1u << 20;

// Copies `json` into `scratch.buffer` for the in-situ parse, except the content of every string of
// kBorrowBytes or more without escapes or control characters: such a string is its own value, so
// it is left in `json` and noted in `scratch.left_out`. Strings are found as RapidJSON finds them:
// a '"' outside a string opens one, and a backslash takes the next character with it. Leaving a
// plain string's content out cannot make valid JSON invalid or invalid JSON valid.
void copy_leaving_out_huge_strings(std::string_view json, DecodeScratch& scratch) {
    std::string& buffer = scratch.buffer;
    buffer.clear();
    scratch.left_out.clear();
    const char* const p = json.data();
    const size_t n = json.size();
    size_t copied = 0;  // json before this is in the buffer (or left out)
    size_t pos = 0;     // the scan is outside any string here
    while (pos < n) {
        const void* quote = std::memchr(p + pos, '"', n - pos);
        if (!quote) break;
        const size_t open = static_cast<size_t>(static_cast<const char*>(quote) - p);
        size_t close = open + 1;
        bool plain = true;
        while (close < n) {
            close += plain_prefix(p + close, n - close);
            if (close >= n || p[close] == '"') break;
            plain = false;  // an escape or a control character
            close += p[close] == '\\' ? 2 : 1;
        }
        if (close >= n) break;  // not closed: the parser will say so
        const size_t length = close - open - 1;
        if (plain && length >= kBorrowBytes) {
            buffer.append(p + copied, open + 1 - copied);
            scratch.left_out.push_back(LeftOut{buffer.size(), json.substr(open + 1, length)});
            copied = close;  // the closing quote is copied with what follows
        }
        pos = close + 1;
    }
    buffer.append(p + copied, n - copied);
}

}  // namespace

bool Message::decode(std::string_view json, Message& out, std::string& why, bool keep_source) {
    thread_local DecodeScratch scratch;
    out.clear();
    // In situ: strings are unescaped where they are, and the handler gets views instead of copies.
    // The record outlives the message when the caller keeps the source: a huge string in it need
    // not be copied then.
    scratch.left_out.clear();
    if (keep_source && json.size() >= kBorrowBytes)
        copy_leaving_out_huge_strings(json, scratch);
    else
        scratch.buffer.assign(json);
    scratch.buffer.push_back('\0');
    DecodeHandler handler(out, scratch);
    rapidjson::Reader reader;
    rapidjson::InsituStringStream is(scratch.buffer.data());
    constexpr unsigned kFlags =
        rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseStopWhenDoneFlag;
    if (!reader.Parse<kFlags>(is, handler)) {
        why = handler.error().empty() ? "not valid JSON (error at byte " +
                                            std::to_string(scratch.record_offset(reader.GetErrorOffset())) + ")"
                                      : handler.error();
        return false;
    }
    if (!handler.saw_type()) {
        why = "no __type";
        return false;
    }
    const Harmonization& h = out.harmonization();
    bool changed = handler.dropped_null();  // the message differs from `json`: no source to keep
    // A string left out of the buffer is referred to where it is in `json`; the others are copied.
    const auto add_decoded = [&out](const RawField& f, ValueKind kind) {
        Field& field = out.add_field(f.key, f.in_source ? std::string_view() : f.text, kind);
        if (f.in_source) field.text = FieldText::borrow(f.text);
    };
    size_t adopt = scratch.fields.size();  // the one huge string field, if any, stored last
    size_t adopt_at = 0;
    for (size_t i = 0; i < scratch.fields.size(); ++i) {
        RawField& f = scratch.fields[i];
        if (f.kind == ValueKind::json)
            f.text = std::string_view(scratch.nested).substr(f.nested_offset, f.nested_length);
        const FieldSpec* spec = h.find(out.type(), f.key);
        if (!spec) {
            why = "field '" + std::string(f.key) + "' is not in the harmonization";
            return false;
        }
        if (is_extra_key(f.key)) {
            add_decoded(f, f.kind);
            continue;
        }
        if (f.key == "extra") {
            if (out.set_extra_object(f.text, true, &why) != SetResult::ok) return false;
            changed = true;
            continue;
        }
        // Values already valid are kept as they are; only the others are sanitized.
        if (!needs_check(*spec, f.text)) {
            if (f.kind == ValueKind::string && !f.in_source && f.text.size() >= kAdoptBufferBytes &&
                adopt == scratch.fields.size()) {
                adopt = i;
                adopt_at = out.fields_.size();
                continue;
            }
            add_decoded(f, spec->type->kind());
            continue;
        }
        changed = true;
        auto r = out.set(f.key, f.text, true, false, &why);
        if (r == SetResult::ignored) continue;
        if (r != SetResult::ok) return false;
    }
    if (adopt < scratch.fields.size()) {
        const RawField& f = scratch.fields[adopt];
        const FieldSpec* spec = h.find(out.type(), f.key);
        const size_t begin = static_cast<size_t>(f.text.data() - scratch.buffer.data()), size = f.text.size();
        std::string key(f.key);  // f.key is in the buffer too: copied before the buffer changes
        std::string text = std::move(scratch.buffer);
        text.resize(begin + size);
        text.erase(0, begin);  // moves the bytes down in place: no second copy
        Field field{std::move(key), std::move(text), spec->type->kind()};
        out.fields_.insert(out.fields_.begin() + static_cast<std::ptrdiff_t>(adopt_at), std::move(field));
        scratch.buffer = std::string();
    } else if (scratch.buffer.capacity() > 4 * kAdoptBufferBytes) {
        scratch.buffer = std::string();  // a big message once is no reason to keep its size
    }
    if (keep_source && !changed) out.source_ = json.substr(0, scratch.record_offset(is.Tell()));
    return true;
}

}  // namespace sluice
