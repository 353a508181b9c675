// SPDX-License-Identifier: AGPL-3.0-or-later
// The JSON wire format of messages. Decoding is one SAX pass with numbers kept as their text, so a
// value read from a queue is written out again byte for byte; nested values (extra.* objects and
// arrays) are re-serialized compactly.
#include <rapidjson/document.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "sluice/core/message.hpp"

namespace sluice {

void append_json_string(std::string& out, std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    out += '"';
    size_t run = 0;  // copy unescaped stretches in one go
    for (size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
        }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
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

// SAX handler for one flat message object. Depth 1 is the message; deeper values are captured as
// compact JSON text for the key they belong to.
class DecodeHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, DecodeHandler> {
 public:
    // RapidJSON's reader recurses once per level: a value nested 100,000 deep would overflow the
    // host's stack. Stopping at the handler stops the recursion; no IntelMQ value nests this deep.
    static constexpr int kMaxDepth = 64;
    explicit DecodeHandler(Message& m) : msg_(m) {}

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
        if (depth_ == 1) {
            key_.assign(s, len);
            return true;
        }
        return writer_.Key(s, len);
    }
    bool String(const char* s, rapidjson::SizeType len, bool) {
        if (depth_ == 0) return fail("a message must be a JSON object");
        if (depth_ > 1) return writer_.String(s, len);
        return scalar(std::string_view(s, len), ValueKind::string);
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
        return true;  // IntelMQ drops None values
    }
    bool Default() { return fail("unexpected JSON value"); }

    const std::string& error() const { return error_; }
    bool saw_type() const { return saw_type_; }
    // Collected before __type is known, since it may come last.
    std::vector<Field>& fields() { return fields_; }

 private:
    bool fail(std::string why) {
        error_ = std::move(why);
        return false;
    }
    bool too_deep() { return fail("a value is nested deeper than " + std::to_string(kMaxDepth) + " levels"); }
    void begin_nested() {
        buf_.Clear();
        writer_.Reset(buf_);
    }
    bool finish_nested() { return scalar(std::string_view(buf_.GetString(), buf_.GetSize()), ValueKind::json); }

    bool scalar(std::string_view text, ValueKind kind) {
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
        fields_.push_back(Field{key_, std::string(text), kind});
        return true;
    }

 private:
    Message& msg_;
    std::vector<Field> fields_;
    int depth_ = 0;
    std::string key_;
    std::string error_;
    bool saw_type_ = false;
    rapidjson::StringBuffer buf_;
    rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

bool needs_check(const FieldSpec& spec, const Field& f) {
    if (!spec.type->is_valid(f.text)) return true;
    if (spec.max_length && f.text.size() > spec.max_length) return true;
    return !spec.matches(f.text);
}

}  // namespace

bool Message::decode(std::string_view json, Message& out, std::string& why) {
    out.clear();
    DecodeHandler handler(out);
    rapidjson::Reader reader;
    rapidjson::MemoryStream ms(json.data(), json.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
    if (!reader.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseStopWhenDoneFlag>(is, handler)) {
        why = handler.error().empty() ? "not valid JSON (error at byte " + std::to_string(reader.GetErrorOffset()) + ")"
                                      : handler.error();
        return false;
    }
    if (!handler.saw_type()) {
        why = "no __type";
        return false;
    }
    const Harmonization& h = out.harmonization();
    for (Field& f : handler.fields()) {
        const FieldSpec* spec = h.find(out.type(), f.key);
        if (!spec) {
            why = "field '" + f.key + "' is not in the harmonization";
            return false;
        }
        if (f.key.size() > 6 && f.key.compare(0, 6, "extra.") == 0) {
            out.fields_.push_back(std::move(f));
            continue;
        }
        if (f.key == "extra") {
            if (out.set_extra_object(f.text, true, &why) != SetResult::ok) return false;
            continue;
        }
        // Values already valid are kept as they are; only the others are sanitized.
        if (!needs_check(*spec, f)) {
            f.kind = spec->type->kind();
            out.fields_.push_back(std::move(f));
            continue;
        }
        auto r = out.set(f.key, f.text, true, false, &why);
        if (r == SetResult::ignored) continue;
        if (r != SetResult::ok) return false;
    }
    return true;
}

}  // namespace sluice
