// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/message.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <atomic>

#include "sluice/core/utf8.hpp"

namespace sluice {
namespace {

std::atomic<uint64_t> g_repaired_values{0};

// `value` itself when it is valid UTF-8, else its repaired copy in `spare` (counted).
std::string_view repaired(std::string_view value, std::string& spare) {
    if (valid_utf8(value)) return value;
    spare.clear();
    append_repaired_utf8(spare, value);
    g_repaired_values.fetch_add(1, std::memory_order_relaxed);
    return spare;
}

// IntelMQ's Message.add ignores these values instead of storing or refusing them.
bool is_placeholder(std::string_view v) { return v.empty() || v == "-" || v == "N/A"; }

bool is_extra_key(std::string_view key) { return key.size() > 6 && key.substr(0, 6) == "extra."; }

ValueKind kind_of(const rapidjson::Value& v) {
    if (v.IsString()) return ValueKind::string;
    if (v.IsNumber()) return ValueKind::number;
    if (v.IsBool()) return ValueKind::boolean;
    return ValueKind::json;
}

std::string compact(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

void explain(std::string* why, std::string text) {
    if (why) *why = std::move(text);
}

}  // namespace

Message& Message::operator=(const Message& other) {
    if (this == &other) return *this;
    type_ = other.type_;
    h_ = other.h_;
    clear();
    for (const Field& f : other.fields_) add_field(f.key, std::string_view(f.text), f.kind);
    return *this;
}

void Message::clear() {
    // Bounded, so one huge message does not keep its memory for the life of the process.
    constexpr size_t kMaxSpare = 256, kMaxSpareText = 64 * 1024;
    for (Field& f : fields_) {
        if (f.text.borrowed()) f.text.assign({});  // the record it refers to may go after this
        if (spare_.size() < kMaxSpare && f.text.capacity() <= kMaxSpareText) spare_.push_back(std::move(f));
    }
    fields_.clear();
    source_ = {};
}

Field& Message::add_field(std::string_view key, std::string_view text, ValueKind kind) {
    source_ = {};
    // key and text may point into a field of this message, which growing fields_ would move.
    if (spare_.empty() || fields_.size() == fields_.capacity())
        return fields_.emplace_back(Field{std::string(key), std::string(text), kind});
    Field& f = fields_.emplace_back(std::move(spare_.back()));
    spare_.pop_back();
    f.key.assign(key);
    f.text.assign(text);
    f.kind = kind;
    return f;
}

const Field* Message::find(std::string_view key) const {
    for (const auto& f : fields_)
        if (f.key == key) return &f;
    return nullptr;
}

Field* Message::find_mutable(std::string_view key) {
    for (auto& f : fields_)
        if (f.key == key) return &f;
    return nullptr;
}

bool Message::remove(std::string_view key) {
    auto it = std::find_if(fields_.begin(), fields_.end(), [&](const Field& f) { return f.key == key; });
    if (it == fields_.end()) return false;
    fields_.erase(it);
    source_ = {};
    return true;
}

void Message::put_trusted(std::string_view key, std::string_view text, ValueKind kind) {
    source_ = {};
    if (Field* f = find_mutable(key)) {
        f->text.assign(text);
        f->kind = kind;
        return;
    }
    add_field(key, text, kind);
}

SetResult Message::store(std::string_view key, std::string_view text, ValueKind kind, bool overwrite,
                         std::string* why) {
    source_ = {};
    if (Field* f = find_mutable(key)) {
        if (!overwrite) {
            explain(why, "field '" + quote_prefix(key) + "' already has a value; overwrite not allowed");
            return SetResult::exists;
        }
        f->text.assign(text);
        f->kind = kind;
        return SetResult::ok;
    }
    add_field(key, text, kind);
    return SetResult::ok;
}

SetResult Message::set_extra_object(std::string_view json, bool overwrite, std::string* why) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    if (doc.HasParseError() || !doc.IsObject()) {
        explain(why, "field 'extra' needs a JSON object");
        return SetResult::invalid;
    }
    for (auto& m : doc.GetObject()) {
        const std::string key = "extra." + std::string(m.name.GetString(), m.name.GetStringLength());
        std::string text =
            m.value.IsString() ? std::string(m.value.GetString(), m.value.GetStringLength()) : compact(m.value);
        std::string spare;
        if (auto r = store(key, repaired(text, spare), kind_of(m.value), overwrite, why); r != SetResult::ok) return r;
    }
    return SetResult::ok;
}

uint64_t Message::repaired_values() { return g_repaired_values.load(std::memory_order_relaxed); }

SetResult Message::set(std::string_view key, std::string_view value, bool overwrite, bool value_is_json,
                       std::string* why) {
    const FieldSpec* spec = h_->find(type_, key);
    if (!spec) {
        explain(why, "field '" + quote_prefix(key) + "' is not in the harmonization for " +
                         (type_ == MessageType::event ? "events" : "reports"));
        return SetResult::unknown_key;
    }
    if (key == "extra") return set_extra_object(value, overwrite, why);

    // A JSON-typed input: strings are unwrapped so the type sees their content.
    std::string unwrapped;
    ValueKind json_kind = ValueKind::string;
    if (value_is_json) {
        rapidjson::Document doc;
        doc.Parse(value.data(), value.size());
        if (doc.HasParseError()) {
            explain(why, "field '" + quote_prefix(key) + "': value is not valid JSON");
            return SetResult::invalid;
        }
        json_kind = kind_of(doc);
        unwrapped = doc.IsString() ? std::string(doc.GetString(), doc.GetStringLength()) : compact(doc);
        value = unwrapped;
    }
    if (json_kind == ValueKind::string && is_placeholder(value)) return SetResult::ignored;
    if (!overwrite && find(key)) {
        explain(why, "field '" + quote_prefix(key) + "' already has a value; overwrite not allowed");
        return SetResult::exists;
    }
    // Every value the harmonization accepts is valid UTF-8: what a strict JSON reader downstream
    // would refuse is repaired (utf8.hpp). A type's sanitize sees the bytes as they came, so that
    // raw (Base64) encodes a feed's exact bytes; what it leaves is repaired before validation.
    thread_local std::string spare;
    if (is_extra_key(key)) return store(key, repaired(value, spare), json_kind, overwrite, why);

    thread_local std::string clean;  // reused: set() runs for every field a parser fills
    const bool sanitized = spec->type->sanitize(value, clean);
    if (sanitized && !valid_utf8(clean)) clean.assign(repaired(clean, spare));
    if (!sanitized || !spec->type->is_valid(clean)) {
        explain(why, "field '" + quote_prefix(key) + "': '" + quote_prefix(value) + "' is not a valid " +
                         std::string(spec->type->name()));
        return SetResult::invalid;
    }
    if (spec->max_length && clean.size() > spec->max_length) {
        explain(why, "field '" + quote_prefix(key) + "': longer than " + std::to_string(spec->max_length));
        return SetResult::invalid;
    }
    if (!spec->matches(clean)) {
        explain(why, "field '" + quote_prefix(key) + "': '" + quote_prefix(clean) + "' does not match " +
                         spec->pattern_text);
        return SetResult::invalid;
    }
    return store(key, clean, spec->type->kind(), true, why);
}

}  // namespace sluice
