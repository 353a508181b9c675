// SPDX-License-Identifier: AGPL-3.0-or-later
// IntelMQ's Message.hash() and the Python repr() it feeds on. The deduplicator compares these hashes
// with the ones IntelMQ stored, so every byte must be what CPython writes: the quote choice and
// escapes of str.__repr__, the shortest round-trip float form with Python's switch to exponent
// notation, dict/list repr with ", " and ": " separators.
#include <openssl/evp.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "sluice/core/message.hpp"

namespace sluice {
namespace {

// Code points str.isprintable() refuses besides the C0 controls and DEL: the assigned ones of the
// categories Cc, Cf, Zs (but ' '), Zl, Zp, Co and Cs (generated from Python 3.11, Unicode 14).
// Unassigned code points (Cn) are not listed: they are escaped by Python and kept here.
constexpr std::pair<char32_t, char32_t> kNotPrintable[] = {
    {0x80, 0xA0},       {0xAD, 0xAD},         {0x600, 0x605},     {0x61C, 0x61C},     {0x6DD, 0x6DD},
    {0x70F, 0x70F},     {0x890, 0x891},       {0x8E2, 0x8E2},     {0x1680, 0x1680},   {0x180E, 0x180E},
    {0x2000, 0x200F},   {0x2028, 0x202F},     {0x205F, 0x2064},   {0x2066, 0x206F},   {0x3000, 0x3000},
    {0xD800, 0xF8FF},   {0xFEFF, 0xFEFF},     {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD},
    {0x13430, 0x13438}, {0x1BCA0, 0x1BCA3},   {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
    {0xF0000, 0xFFFFD}, {0x100000, 0x10FFFD},
};

bool printable(char32_t c) {
    if (c < 0x20 || c == 0x7F) return false;
    if (c < 0x7F) return true;
    return std::none_of(std::begin(kNotPrintable), std::end(kNotPrintable),
                        [c](const auto& r) { return c >= r.first && c <= r.second; });
}

// Decodes one UTF-8 sequence at `i`; advances `i`. An invalid byte comes back as itself with
// `valid` false.
char32_t next_code_point(std::string_view s, size_t& i, bool& valid) {
    const auto b = static_cast<unsigned char>(s[i]);
    valid = true;
    size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
        valid = false;
        ++i;
        return b;
    }
    char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    for (size_t k = 1; k < len; ++k) {
        const auto cont = static_cast<unsigned char>(s[i + k]);
        if ((cont >> 6) != 0x2) {
            valid = false;
            ++i;
            return b;
        }
        c = (c << 6) | (cont & 0x3F);
    }
    i += len;
    return c;
}

void append_hex(std::string& out, char32_t c, int digits) {
    static constexpr char hex[] = "0123456789abcdef";
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += hex[(c >> shift) & 0xF];
}

// str.__repr__: single quotes unless the text holds ' and no ".
void append_str_repr(std::string& out, std::string_view s) {
    const char quote = s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos ? '"' : '\'';
    out += quote;
    for (size_t i = 0; i < s.size();) {
        // Printable ASCII but the quote and the backslash stands as it is; most values are only that.
        size_t plain = i;
        while (plain < s.size()) {
            const auto b = static_cast<unsigned char>(s[plain]);
            if (b < 0x20 || b >= 0x7f || b == static_cast<unsigned char>(quote) || b == '\\') break;
            ++plain;
        }
        if (plain > i) {
            out.append(s.data() + i, plain - i);
            i = plain;
            continue;
        }
        const size_t start = i;
        bool valid = true;
        const char32_t c = next_code_point(s, i, valid);
        if (!valid) {  // not UTF-8: cannot be in a Python str; keep the byte visible
            out += "\\x";
            append_hex(out, c, 2);
        } else if (c == static_cast<char32_t>(quote) || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (printable(c)) {
            out.append(s.substr(start, i - start));
        } else if (c <= 0xFF) {
            out += "\\x";
            append_hex(out, c, 2);
        } else if (c <= 0xFFFF) {
            out += "\\u";
            append_hex(out, c, 4);
        } else {
            out += "\\U";
            append_hex(out, c, 8);
        }
    }
    out += quote;
}

// float.__repr__: the shortest digits that round-trip, fixed notation when the decimal point falls
// within -4 < point <= 16 (always with a fraction, "100.0"), else d.ddde±XX.
void append_float_repr(std::string& out, double d) {
    if (std::isnan(d)) {
        out += "nan";
        return;
    }
    if (std::isinf(d)) {
        out += d < 0 ? "-inf" : "inf";
        return;
    }
    if (d == 0) {
        out += std::signbit(d) ? "-0.0" : "0.0";
        return;
    }
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    if (ec != std::errc()) throw std::runtime_error("cannot format a float");
    const std::string_view sci(buf, static_cast<size_t>(end - buf));
    const size_t e = sci.find('e');
    std::string digits;
    bool negative = false;
    for (char c : sci.substr(0, e)) {
        if (c == '-')
            negative = true;
        else if (c != '.')
            digits += c;
    }
    int exponent = 0;
    std::string_view exp_text = sci.substr(e + 1);
    if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
    std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
    const int point = exponent + 1;  // digits before the decimal point
    const int n = static_cast<int>(digits.size());
    if (negative) out += '-';
    if (point > -4 && point <= 16) {
        if (point <= 0) {
            out += "0.";
            out.append(static_cast<size_t>(-point), '0');
            out += digits;
        } else if (point >= n) {
            out += digits;
            out.append(static_cast<size_t>(point - n), '0');
            out += ".0";
        } else {
            out.append(digits, 0, static_cast<size_t>(point));
            out += '.';
            out.append(digits, static_cast<size_t>(point));
        }
        return;
    }
    out += digits[0];
    if (n > 1) {
        out += '.';
        out.append(digits, 1);
    }
    out += exponent < 0 ? "e-" : "e+";
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
}

// A JSON number as Python's json module reads it: an int unless it has a fraction or exponent.
void append_number_repr(std::string& out, std::string_view text, bool as_float) {
    if (as_float || text.find_first_of(".eE") != std::string_view::npos) {
        double d = 0;
        std::string_view t = text;
        if (!t.empty() && t.front() == '+') t.remove_prefix(1);
        const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
        if (ec == std::errc::result_out_of_range) {
            out += t.front() == '-' ? "-inf" : "inf";  // json.loads("1e999") is inf
            return;
        }
        if (ec != std::errc() || p != t.data() + t.size())
            throw std::runtime_error("not a number: " + std::string(text));
        append_float_repr(out, d);
        return;
    }
    if (text == "-0") {
        out += '0';
        return;
    }
    out.append(text);
}

// Writes the repr of a JSON value (extra.* objects and lists) as the SAX events arrive.
class ReprHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, ReprHandler> {
 public:
    explicit ReprHandler(std::string& out) : out_(out) {}

    bool Null() { return value("None"); }
    bool Bool(bool b) { return value(b ? "True" : "False"); }
    bool RawNumber(const char* s, rapidjson::SizeType len, bool) {
        separate();
        append_number_repr(out_, std::string_view(s, len), false);
        return true;
    }
    bool String(const char* s, rapidjson::SizeType len, bool) {
        separate();
        append_str_repr(out_, std::string_view(s, len));
        return true;
    }
    bool StartObject() { return open('{'); }
    bool Key(const char* s, rapidjson::SizeType len, bool) {
        separate();
        append_str_repr(out_, std::string_view(s, len));
        out_ += ": ";
        after_key_ = true;
        return true;
    }
    bool EndObject(rapidjson::SizeType) { return close('}'); }
    bool StartArray() { return open('['); }
    bool EndArray(rapidjson::SizeType) { return close(']'); }
    bool Default() { return false; }

 private:
    // Before a value or key: ", " unless it is the first of its container or follows its key.
    void separate() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (!first_.empty()) {
            if (!first_.back()) out_ += ", ";
            first_.back() = false;
        }
    }
    bool value(std::string_view text) {
        separate();
        out_.append(text);
        return true;
    }
    bool open(char c) {
        separate();
        out_ += c;
        first_.push_back(true);
        return true;
    }
    bool close(char c) {
        out_ += c;
        first_.pop_back();
        return true;
    }

    std::string& out_;
    std::vector<bool> first_;
    bool after_key_ = false;
};

void append_json_repr(std::string& out, std::string_view json) {
    ReprHandler handler(out);
    rapidjson::Reader reader;
    rapidjson::MemoryStream ms(json.data(), json.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(ms);
    if (!reader.Parse<rapidjson::kParseNumbersAsStringsFlag>(in, handler))
        throw std::runtime_error("a stored JSON value is not valid JSON");
}

bool is_float_type(const Message& msg, std::string_view key) {
    if (key.starts_with("extra.")) return false;
    const FieldSpec* spec = msg.harmonization().find(msg.type(), key);
    if (!spec || !spec->type) return false;
    const std::string_view name = spec->type->name();
    return name == "Float" || name == "Accuracy";
}

void append_python_repr(std::string& out, const Message& msg, const Field& field) {
    switch (field.kind) {
        case ValueKind::string:
            append_str_repr(out, field.text);
            break;
        case ValueKind::boolean:
            out += field.text == "true" ? "True" : "False";
            break;
        case ValueKind::number:
            append_number_repr(out, field.text, is_float_type(msg, field.key));
            break;
        case ValueKind::json:
            append_json_repr(out, field.text);
            break;
    }
}

}  // namespace

std::string python_repr(const Message& msg, const Field& field) {
    std::string out;
    append_python_repr(out, msg, field);
    return out;
}

std::string message_hash(const Message& msg, const std::vector<std::string_view>& keys, HashKeys filter) {
    const auto listed = [&](std::string_view key) { return std::find(keys.begin(), keys.end(), key) != keys.end(); };
    thread_local std::vector<const Field*> used;  // reused: the hash runs once per event
    used.clear();
    for (const Field& f : msg.fields()) {
        if (f.key == "time.observation") continue;
        if (filter == HashKeys::whitelist && !listed(f.key)) continue;
        if (filter == HashKeys::blacklist && listed(f.key)) continue;
        used.push_back(&f);
    }
    // Python's sorted() on str keys is code point order, which is UTF-8 byte order.
    std::sort(used.begin(), used.end(), [](const Field* a, const Field* b) { return a->key < b->key; });

    // Everything hashed is laid out in one reused buffer and digested in one call: a message's
    // fields are a few hundred bytes, and one call costs less than four per field.
    static constexpr char separator = static_cast<char>(0xC0);
    thread_local std::string input;
    input.clear();
    for (const Field* f : used) {
        input += f->key;
        input += separator;
        append_python_repr(input, msg, *f);
        input += separator;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    // Fetched once: OpenSSL 3 looks EVP_sha256() up in its provider table on every use otherwise.
    static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!sha256 || EVP_Digest(input.data(), input.size(), digest, &len, sha256, nullptr) != 1 || len != 32)
        throw std::runtime_error("OpenSSL: SHA-256 failed");
    std::string hex;
    hex.reserve(64);
    for (unsigned int i = 0; i < len; ++i) append_hex(hex, digest[i], 2);
    return hex;
}

}  // namespace sluice
