// SPDX-License-Identifier: AGPL-3.0-or-later
#include "schema.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sluice/codec.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sluice/quote.hpp>

namespace sluice::shadowserver {
namespace {

using Row = std::map<std::string, std::string, std::less<>>;

std::string compact(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

std::string str(const rapidjson::Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

std::vector<Mapping> mappings(const rapidjson::Value& report, const char* member, const std::string& where) {
    std::vector<Mapping> out;
    const auto it = report.FindMember(member);
    if (it == report.MemberEnd() || it->value.IsNull()) return out;
    if (!it->value.IsArray()) throw std::runtime_error(where + "." + member + ": not a list");
    size_t i = 0;
    for (const auto& item : it->value.GetArray()) {
        const std::string at = where + "." + member + "[" + std::to_string(i++) + "]";
        if (!item.IsArray() || item.Size() < 2 || item.Size() > 4)
            throw std::runtime_error(at + ": expected [key, column, function?, with_row?]");
        Mapping m;
        if (item[0].IsString()) {
            m.key = str(item[0]);
        } else if (!item[0].IsFalse()) {
            throw std::runtime_error(at + ": the key must be a string or false");
        }
        if (!item[1].IsString()) throw std::runtime_error(at + ": the column must be a string");
        m.column = str(item[1]);
        if (item.Size() > 2 && !item[2].IsNull()) {
            if (!item[2].IsString()) throw std::runtime_error(at + ": the function must be a string");
            m.function = str(item[2]);
        }
        if (item.Size() > 3)
            m.with_row = !(item[3].IsFalse() || item[3].IsNull() || (item[3].IsInt() && item[3].GetInt() == 0));
        out.push_back(std::move(m));
    }
    return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Python's int(str): surrounding whitespace, a sign, digits with single underscores between them.
long long python_int(const std::string& value) {
    std::string_view s = trim(value);
    std::string digits;
    bool negative = false;
    if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
        negative = s.front() == '-';
        s.remove_prefix(1);
    }
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c >= '0' && c <= '9') {
            digits += c;
        } else if (c == '_' && i > 0 && i + 1 < s.size() && s[i - 1] != '_' && s[i + 1] >= '0' && s[i + 1] <= '9') {
            continue;
        } else {
            digits.clear();
            break;
        }
    }
    long long n = 0;
    const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size())
        throw ConversionError("invalid literal for int(): '" + quote_prefix(value) + "'");
    return negative ? -n : n;
}

std::string python_float(const std::string& value) {
    const std::string s(trim(value));
    if (s.empty()) throw ConversionError("could not convert string to float: '" + quote_prefix(value) + "'");
    char* end = nullptr;
    errno = 0;
    const double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || std::isnan(d) || std::isinf(d))
        throw ConversionError("could not convert string to float: '" + quote_prefix(value) + "'");
    char buf[64];
    const auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
    std::string out(buf, p);
    if (out.find_first_of(".e") == std::string::npos) out += ".0";
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

const std::string* row_get(const Row& row, std::string_view key) {
    const auto it = row.find(key);
    return it == row.end() ? nullptr : &it->second;
}

std::string http_host_and_url(const std::string& value, const Row& row) {
    std::string hostname;
    auto take = [&](const char* key) {
        if (!hostname.empty()) return;
        if (const auto* v = row_get(row, key)) hostname = *v;
    };
    take("cc_dns");
    take("http_host");
    take("hostname");
    take("ip");
    std::string path;
    if (const auto* v = row_get(row, "url")) {
        path = *v;
    } else if (const auto* u = row_get(row, "http_url")) {
        path = *u;
    }
    if (hostname.empty() || path.empty()) return value;
    const size_t slash = path.find('/');
    path = slash == std::string::npos ? std::string() : path.substr(slash);
    const size_t space = path.find_first_of(" \t\n\r\v\f");
    if (space != std::string::npos) path.resize(space);
    std::string application = "http";
    if (const auto* a = row_get(row, "application"); a && (*a == "http" || *a == "https")) application = *a;
    return application + "://" + hostname + path;
}

bool is_cve(std::string_view t) {
    if (t.substr(0, 4) != "cve-") return false;
    t.remove_prefix(4);
    const size_t dash = t.find('-');
    if (dash == 0 || dash == std::string_view::npos || dash + 1 == t.size()) return false;
    const auto digits = [](std::string_view d) {
        return std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    return digits(t.substr(0, dash)) && digits(t.substr(dash + 1));
}

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80); }

// (\w+)(-\w+)*\.csv$ at `s`: the first word, or nullopt.
std::optional<std::string> match_rest(std::string_view s) {
    size_t i = 0;
    while (i < s.size() && is_word(s[i])) ++i;
    if (i == 0) return std::nullopt;
    const std::string first(s.substr(0, i));
    while (i < s.size() && s[i] == '-') {
        const size_t start = ++i;
        while (i < s.size() && is_word(s[i])) ++i;
        if (i == start) return std::nullopt;
    }
    if (s.substr(i) != ".csv") return std::nullopt;
    return first;
}

}  // namespace

Schema::Schema(std::string_view json_text, const std::string& origin) {
    rapidjson::Document d;
    d.Parse(json_text.data(), json_text.size());
    if (d.HasParseError())
        throw std::runtime_error(origin + ": not valid JSON (at offset " + std::to_string(d.GetErrorOffset()) + ")");
    if (!d.IsObject()) throw std::runtime_error(origin + ": expected a JSON object of report types");
    for (const auto& entry : d.GetObject()) {
        const std::string name = str(entry.name);
        const rapidjson::Value& v = entry.value;
        if (name == "_meta") {
            if (v.IsObject() && v.HasMember("date_created") && v["date_created"].IsString())
                created_ = str(v["date_created"]);
            continue;
        }
        const std::string where = origin + ": " + name;
        if (!v.IsObject()) throw std::runtime_error(where + ": not an object");
        Report r;
        for (const char* member : {"feed_name", "file_name"}) {
            if (!v.HasMember(member) || !v[member].IsString())
                throw std::runtime_error(where + ": " + member + " is missing or not a string");
        }
        r.feed_name = str(v["feed_name"]);
        r.file_name = str(v["file_name"]);
        if (v.HasMember("url") && v["url"].IsString()) r.url = str(v["url"]);
        r.required = mappings(v, "required_fields", where);
        r.optional = mappings(v, "optional_fields", where);
        if (const auto c = v.FindMember("constant_fields"); c != v.MemberEnd() && !c->value.IsNull()) {
            if (!c->value.IsObject()) throw std::runtime_error(where + ".constant_fields: not an object");
            for (const auto& m : c->value.GetObject()) {
                if (m.value.IsString()) {
                    r.constants.push_back({str(m.name), str(m.value), false});
                } else {
                    r.constants.push_back({str(m.name), compact(m.value), true});
                }
            }
        }
        const size_t index = reports_.size();
        by_feed_[r.feed_name] = index;
        by_file_[r.file_name] = index;
        reports_.push_back(std::move(r));
    }
}

const Report* Schema::by_feed_name(std::string_view name) const {
    const auto it = by_feed_.find(name);
    return it == by_feed_.end() ? nullptr : &reports_[it->second];
}

const Report* Schema::by_file_name(std::string_view name) const {
    const auto it = by_file_.find(name);
    return it == by_file_.end() ? nullptr : &reports_[it->second];
}

namespace {
constexpr std::string_view kFunctions[] = {
    "add_UTC_to_timestamp", "convert_bool",
    "validate_to_none",     "convert_int",
    "convert_float",        "convert_http_host_and_url",
    "invalidate_zero",      "validate_ip",
    "validate_network",     "validate_fqdn",
    "convert_date",         "convert_date_utc",
    "force_base64",         "scan_exchange_taxonomy",
    "scan_exchange_type",   "scan_exchange_identifier",
    "category_or_detail",   "extract_cve_from_tag",
};
bool takes_row(std::string_view name) { return name == "convert_http_host_and_url" || name == "category_or_detail"; }
}  // namespace

bool known_function(std::string_view name) {
    return std::find(std::begin(kFunctions), std::end(kFunctions), name) != std::end(kFunctions);
}

std::optional<Value> convert(std::string_view name, const std::string& value, const Row* row, Validator& validator) {
    if (!known_function(name)) throw ConversionError("unknown conversion function '" + std::string(name) + "'");
    if (takes_row(name) != (row != nullptr))
        throw ConversionError("conversion function '" + std::string(name) + "' " +
                              (row ? "does not take the row" : "needs the row (4th item true)"));
    const auto text = [](std::string s) { return std::optional<Value>(Value{std::move(s), false}); };
    const auto json = [](std::string s) { return std::optional<Value>(Value{std::move(s), true}); };
    if (name == "add_UTC_to_timestamp") return text(value + " UTC");
    if (name == "convert_bool") {
        const std::string v = lower(value);
        if (v == "y" || v == "yes" || v == "true" || v == "enabled" || v == "1") return json("true");
        if (v == "n" || v == "no" || v == "false" || v == "disabled" || v == "0") return json("false");
        return std::nullopt;
    }
    if (name == "validate_to_none") {
        if (value.empty() || value == "0" || value == "unknown") return std::nullopt;
        return text(value);
    }
    if (name == "convert_int") {
        if (value.empty()) return std::nullopt;
        return json(std::to_string(python_int(value)));
    }
    if (name == "convert_float") {
        if (value.empty()) return std::nullopt;
        return json(python_float(value));
    }
    if (name == "convert_http_host_and_url") return text(http_host_and_url(value, *row));
    if (name == "invalidate_zero") {
        if (value.empty()) return std::nullopt;
        const long long n = python_int(value);
        if (n == 0) return std::nullopt;
        return json(std::to_string(n));
    }
    if (name == "validate_ip") {
        if (value == "0.0.0.0" || value.find('/') != std::string::npos) return std::nullopt;
        if (!validator.check("source.ip", value)) return std::nullopt;
        return text(value);
    }
    if (name == "validate_network") {
        if (value.find('/') == std::string::npos || !validator.check("source.network", value)) return std::nullopt;
        return text(value);
    }
    if (name == "validate_fqdn") {
        if (value.empty() || !validator.check("source.fqdn", value)) return std::nullopt;
        return text(value);
    }
    if (name == "convert_date" || name == "convert_date_utc") {
        auto v = validator.check("time.source", name == "convert_date" ? value : value + "+00:00");
        if (!v) throw ConversionError("'" + quote_prefix(value) + "' is not a date and time");
        return text(*v);
    }
    if (name == "force_base64") {
        if (value.empty()) return std::nullopt;
        try {
            (void)sluice::base64::decode(value);
            return text(value);
        } catch (const sluice::base64::DecodeError&) {
            return text(sluice::base64::encode(value));
        }
    }
    const bool webshell = value.find("webshell") != std::string::npos;
    if (name == "scan_exchange_taxonomy") return text(webshell ? "intrusions" : "vulnerable");
    if (name == "scan_exchange_type") return text(webshell ? "system-compromise" : "vulnerable-system");
    if (name == "scan_exchange_identifier")
        return text(webshell ? "exchange-server-webshell" : "vulnerable-exchange-server");
    if (name == "category_or_detail") {
        if (const auto* c = row_get(*row, "category"); c && !c->empty()) return text(*c);
        const auto* d = row_get(*row, "detail");
        return text(d ? *d : std::string());
    }
    // extract_cve_from_tag
    std::set<std::string> cves;
    size_t start = 0;
    while (true) {
        const size_t semi = value.find(';', start);
        const std::string t = value.substr(start, semi == std::string::npos ? std::string::npos : semi - start);
        if (is_cve(t)) cves.insert(t);
        if (semi == std::string::npos) break;
        start = semi + 1;
    }
    if (cves.empty()) return std::nullopt;
    std::string out;
    for (const auto& c : cves) out += (out.empty() ? "" : ";") + c;
    return text(out);
}

std::optional<std::string> report_type_of(std::string_view file_name) {
    const auto digits = [&](size_t at, size_t n) {
        for (size_t i = at; i < at + n; ++i)
            if (i >= file_name.size() || file_name[i] < '0' || file_name[i] > '9') return false;
        return true;
    };
    if (digits(0, 4) && file_name.size() > 11 && file_name[4] == '-' && digits(5, 2) && file_name[7] == '-' &&
        digits(8, 2) && file_name[10] == '-') {
        if (auto r = match_rest(file_name.substr(11))) return r;
    }
    return match_rest(file_name);
}

}  // namespace sluice::shadowserver
