// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The harmonization: which keys a Report or Event may carry and what type each has. Every value a
// bot writes goes through its type's sanitize and validate rules here, in one place, so an event
// means the same thing whichever bot produced it. The rules follow IntelMQ's harmonization.py.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sluice {

enum class MessageType { report, event };

// How a value is written in the JSON wire format.
enum class ValueKind : unsigned char {
    string,   // a JSON string; the stored text is the unescaped string
    number,   // the stored text is the JSON number
    boolean,  // "true" / "false"
    json,     // the stored text is any JSON value (extra.* objects and arrays)
};

// One harmonization type (IPAddress, FQDN, DateTime, ...). Stateless; shared by all fields of it.
class FieldType {
 public:
    virtual ~FieldType() = default;
    virtual std::string_view name() const = 0;
    virtual ValueKind kind() const { return ValueKind::string; }
    // True when `value` may be stored as it is (IntelMQ's is_valid: a value read from a queue that
    // passes is kept byte for byte; it need not be the form sanitize would produce).
    virtual bool is_valid(std::string_view value) const = 0;
    // Cleans a value up (case, whitespace, legacy names, formats); false when that is impossible.
    // The result still has to pass is_valid.
    virtual bool sanitize(std::string_view value, std::string& out) const = 0;
};

// The type registry: IntelMQ's type names → implementations. Null for an unknown name.
const FieldType* find_field_type(std::string_view type_name);

struct FieldSpec {
    const FieldType* type = nullptr;
    std::size_t max_length = 0;         // 0: unbounded (IntelMQ's "length")
    std::optional<std::regex> pattern;  // IntelMQ's "regex" / "iregex"
    std::string pattern_text;
    // The two patterns IntelMQ's ontology uses most are checked without std::regex, which costs
    // more than the rest of a field's harmonization.
    enum class Shortcut { none, no_trailing_dot, printable_ascii } shortcut = Shortcut::none;

    // Whether `value` matches the pattern (true when there is none).
    bool matches(std::string_view value) const;
};

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

class Harmonization {
 public:
    // Reads conf/harmonization.toml, or an IntelMQ harmonization.conf when the file ends in .json/.conf.
    // Throws std::runtime_error naming the file, the key and the problem.
    static Harmonization load(const std::filesystem::path& file);
    static Harmonization load_toml(const std::filesystem::path& file);
    static Harmonization load_intelmq_json(const std::filesystem::path& file);

    // The spec of `key` for a message type; extra.* keys map to the "extra" entry. Null: unknown key.
    const FieldSpec* find(MessageType type, std::string_view key) const;

    using Table = std::unordered_map<std::string, FieldSpec, StringHash, std::equal_to<>>;
    const Table& fields(MessageType type) const { return type == MessageType::report ? report_ : event_; }

 private:
    Table report_;
    Table event_;
};

// The keys IntelMQ copies from a Report into every Event made from it.
inline constexpr std::string_view report_keys_copied_to_events[] = {
    "feed.accuracy", "feed.code", "feed.documentation", "feed.name", "feed.provider",
    "feed.url",      "rtir_id",   "time.observation"};

}  // namespace sluice
