// SPDX-License-Identifier: AGPL-3.0-or-later
//
// A Report or Event: a flat list of dotted keys, exactly IntelMQ's model. Every write goes through
// the harmonization (sanitize, then validate); a message read from a queue keeps the values that are
// already valid and sanitizes only the others, as IntelMQ does. The wire format is IntelMQ's JSON:
// {"__type": "Event", "source.ip": "192.0.2.1", "extra.tags": ["a"], ...}.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/core/harmonization.hpp"

namespace sluice {

// A field's value. Owned, or borrowed: a huge string decoded with keep_source (a report's raw)
// refers to the bytes of the record it came from instead of holding a copy of tens of megabytes
// (see Message::decode). A copy always owns its text, and so does a value written anew, so only
// the decoded message itself can refer to the record, and it is cleared before the record goes.
class FieldText {
 public:
    FieldText() = default;
    FieldText(std::string s) : own_(std::move(s)) {}  // NOLINT: implicit, as the std::string it was
    FieldText(const FieldText& other) : own_(other.view()) {}
    FieldText& operator=(const FieldText& other) {
        if (this != &other) assign(other.view());
        return *this;
    }
    FieldText(FieldText&& other) noexcept = default;
    FieldText& operator=(FieldText&& other) noexcept = default;

    // Refers to `s`, which must outlive this text or its next assign.
    static FieldText borrow(std::string_view s) {
        FieldText t;
        t.borrowed_ = s;
        t.is_borrowed_ = true;
        return t;
    }
    bool borrowed() const { return is_borrowed_; }

    std::string_view view() const { return is_borrowed_ ? borrowed_ : std::string_view(own_); }
    operator std::string_view() const { return view(); }  // NOLINT: read like the std::string it was
    const char* data() const { return view().data(); }
    size_t size() const { return view().size(); }
    bool empty() const { return view().empty(); }
    // The owned storage kept for reuse (0 while borrowed).
    size_t capacity() const { return own_.capacity(); }
    // Owns `s` from now on (a borrowed text is let go).
    void assign(std::string_view s) {
        own_.assign(s);
        borrowed_ = {};
        is_borrowed_ = false;
    }
    friend bool operator==(const FieldText& a, std::string_view b) { return a.view() == b; }

 private:
    std::string own_;
    std::string_view borrowed_;
    bool is_borrowed_ = false;
};

struct Field {
    std::string key;
    FieldText text;  // strings unescaped; numbers, booleans and JSON values as JSON text
    ValueKind kind = ValueKind::string;
};

enum class SetResult { ok = 0, ignored = 1, exists = 2, unknown_key = 3, invalid = 4 };

class Message {
 public:
    Message(MessageType type, const Harmonization& harmonization) : type_(type), h_(&harmonization) {}
    // Copies carry the fields only, not the spare storage.
    Message(const Message& other) : type_(other.type_), h_(other.h_), fields_(other.fields_) {}
    Message& operator=(const Message& other);
    Message(Message&&) noexcept = default;
    Message& operator=(Message&&) noexcept = default;

    MessageType type() const { return type_; }
    const Harmonization& harmonization() const { return *h_; }
    const std::vector<Field>& fields() const { return fields_; }
    const Field* find(std::string_view key) const;
    bool has(std::string_view key) const { return find(key) != nullptr; }

    // Sanitizes and validates, then stores. `value_is_json`: the text is a JSON value (a number,
    // an object for extra, ...). On any result but ok, `why` (if given) says what was wrong.
    SetResult set(std::string_view key, std::string_view value, bool overwrite = false, bool value_is_json = false,
                  std::string* why = nullptr);
    bool remove(std::string_view key);
    // Keeps the fields' storage for the next values: a message reused per input (the host's) or per
    // emitted event (a parser's) then stores without allocating once warmed up.
    void clear();

    // Appends the wire JSON to `out`.
    void to_json(std::string& out) const;
    // Nested objects per dot ({"source": {"ip": ...}}), IntelMQ's hierarchical output.
    void to_hierarchical_json(std::string& out) const;
    std::string json() const {
        std::string s;
        to_json(s);
        return s;
    }

    // Reads IntelMQ's wire format into `out` (cleared first). False with `why` when the text is not
    // a JSON object, has no valid __type, or holds a key or value the harmonization refuses.
    // With `keep_source`, a message decoded without any change (nothing sanitized or dropped)
    // remembers `json`, and to_json writes those bytes again until the message changes: a bot that
    // passes events on unchanged costs no re-serialization. `json` must then stay valid for as long
    // as the message is used or until it is cleared (the host: its input record, within the batch).
    // With `keep_source` a huge string value without escapes (a report's raw) is not copied either:
    // its field refers to those bytes of `json` (a copy of the message owns its own).
    static bool decode(std::string_view json, Message& out, std::string& why, bool keep_source = false);
    // How many values set() has repaired to valid UTF-8 in this process (utf8.hpp), for counters.
    static uint64_t repaired_values();

    // Stores an already harmonized value without checks: for decode and copying between messages.
    void put_trusted(std::string_view key, std::string_view text, ValueKind kind);
    void set_type(MessageType t) {
        type_ = t;
        source_ = {};
    }

 private:
    Field* find_mutable(std::string_view key);
    SetResult store(std::string_view key, std::string_view text, ValueKind kind, bool overwrite, std::string* why);
    SetResult set_extra_object(std::string_view json, bool overwrite, std::string* why);
    // Appends a field, reusing the storage of one cleared before.
    Field& add_field(std::string_view key, std::string_view text, ValueKind kind);

    MessageType type_;
    const Harmonization* h_;
    std::vector<Field> fields_;
    std::vector<Field> spare_;  // cleared fields whose strings keep their capacity
    std::string_view source_;   // the wire JSON this message was decoded from, while unchanged
};

// Appends `s` as a JSON string literal (quotes included) to `out`.
void append_json_string(std::string& out, std::string_view s);
// ["a","b"]: a JSON array of strings.
std::string json_string_array(const std::vector<std::string>& items);

// IntelMQ's filter_type for message_hash.
enum class HashKeys { blacklist, whitelist };

// IntelMQ's Message.hash(filter_keys=keys, filter_type=filter) (intelmq/lib/message.py), byte for
// byte: SHA-256 over the fields sorted by key, time.observation always left out, `keys` left out
// (blacklist) or the only ones used (whitelist); each field feeds UTF-8(key), 0xC0, UTF-8(Python
// repr of the value as IntelMQ holds it: 'text', 80, 100.0, True, {'a': [1]}), 0xC0. Returns 64
// lowercase hex digits.
std::string message_hash(const Message& msg, const std::vector<std::string_view>& keys, HashKeys filter);

// Python's repr() of a field's value as IntelMQ holds it after decoding the wire JSON: strings
// quoted as Python quotes them, integers as digits, floats in Python's shortest form, booleans
// True/False, extra.* objects and lists as Python's dict/list repr.
std::string python_repr(const Message& msg, const Field& field);

}  // namespace sluice
