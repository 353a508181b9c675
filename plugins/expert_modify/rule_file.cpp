// SPDX-License-Identifier: AGPL-3.0-or-later
#include "rule_file.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sluice::modify {
namespace {

std::string compact(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

std::string type_name(const rapidjson::Value& v) {
    if (v.IsObject()) return "an object";
    if (v.IsArray()) return "a list";
    if (v.IsString()) return "a string";
    if (v.IsNumber()) return "a number";
    if (v.IsBool()) return "a boolean";
    return "null";
}

// Line and column (both 1-based, columns in bytes) of a byte offset.
std::string position(const std::string& text, size_t offset) {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return std::to_string(line) + ":" + std::to_string(column);
}

Condition make_condition(const std::string& key, const rapidjson::Value& v, bool case_sensitive,
                         const std::string& where) {
    Condition c;
    c.key = key;
    if (v.IsString() && v.GetStringLength() == 0) {
        c.kind = Condition::Kind::absent;
    } else if (v.IsString()) {
        c.kind = Condition::Kind::regex;
        const std::string pattern(v.GetString(), v.GetStringLength());
        try {
            c.regex = compile_python_regex(pattern, case_sensitive);
        } catch (const boost::regex_error& e) {
            throw std::runtime_error(where + ", if \"" + key + "\": invalid regular expression \"" + pattern +
                                     "\" at offset " + std::to_string(e.position()) + ": " + e.what());
        }
    } else {
        c.kind = Condition::Kind::equals;
        c.value = std::make_shared<rapidjson::Document>();
        c.value->CopyFrom(v, c.value->GetAllocator());
    }
    return c;
}

Action make_action(const std::string& key, const rapidjson::Value& v, const Rule& rule, const std::string& where) {
    Action a;
    a.key = key;
    if (v.IsNull()) {
        a.kind = Action::Kind::remove;
        return a;
    }
    if (!v.IsString()) {
        a.kind = Action::Kind::json;
        a.json = compact(v);
        return a;
    }
    a.kind = Action::Kind::text;
    try {
        a.text.emplace(std::string_view(v.GetString(), v.GetStringLength()));
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(where + ", then \"" + key + "\": \"" + v.GetString() + "\": " + e.what());
    }
    for (const auto& piece : a.text->pieces()) {
        if (piece.kind != TemplatePiece::Kind::match_group) continue;
        const Condition* source = nullptr;
        for (const auto& c : rule.conditions)
            if (c.key == piece.text && c.kind == Condition::Kind::regex) source = &c;
        if (!source)
            throw std::runtime_error(where + ", then \"" + key + "\": {matches[" + piece.text + "][" + piece.group +
                                     "]}: \"" + piece.text +
                                     "\" is not a regular-expression condition of this rule's \"if\"");
        if (piece.group_number && std::stoul(piece.group) > source->regex->mark_count())
            throw std::runtime_error(where + ", then \"" + key + "\": {matches[" + piece.text + "][" + piece.group +
                                     "]}: the expression has " + std::to_string(source->regex->mark_count()) +
                                     " group(s)");
    }
    return a;
}

}  // namespace

boost::regex compile_python_regex(const std::string& pattern, bool case_sensitive) {
    // Python spells named groups (?P<name>...) and their back-references (?P=name); Perl (?<name>...)
    // and \k<name>. Translate outside character classes and escapes.
    std::string perl;
    bool in_class = false;
    for (size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            perl += c;
            perl += pattern[++i];
            continue;
        }
        if (in_class) {
            if (c == ']') in_class = false;
            perl += c;
            continue;
        }
        if (c == '[') {
            in_class = true;
            perl += c;
            if (i + 1 < pattern.size() && pattern[i + 1] == '^') perl += pattern[++i];
            if (i + 1 < pattern.size() && pattern[i + 1] == ']') perl += pattern[++i];  // []...] : ']' is literal
            continue;
        }
        if (pattern.compare(i, 4, "(?P<") == 0) {
            perl += "(?<";
            i += 3;
            continue;
        }
        if (pattern.compare(i, 4, "(?P=") == 0) {
            const size_t close = pattern.find(')', i);
            if (close != std::string::npos) {
                perl += "\\k<" + pattern.substr(i + 4, close - i - 4) + ">";
                i = close;
                continue;
            }
        }
        perl += c;
    }
    // Python's defaults: ^ and $ only at the ends of the text, '.' not matching a newline.
    auto flags = boost::regex::perl | boost::regex::no_mod_m | boost::regex::no_mod_s;
    if (!case_sensitive) flags |= boost::regex::icase;
    return boost::regex(perl, flags);
}

std::vector<Rule> load_rules(const std::string& path, bool case_sensitive, std::vector<std::string>& warnings) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot read the rule file: " + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();

    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    if (doc.HasParseError())
        throw std::runtime_error(path + ":" + position(text, doc.GetErrorOffset()) +
                                 ": invalid JSON: " + rapidjson::GetParseError_En(doc.GetParseError()));
    if (!doc.IsArray())
        throw std::runtime_error(path + ": expected a JSON list of rules ({\"rulename\", \"if\", \"then\"}), found " +
                                 type_name(doc));

    std::vector<Rule> rules;
    for (const auto& r : doc.GetArray()) {
        Rule rule;
        rule.number = rules.size() + 1;
        std::string where = path + ": rule #" + std::to_string(rule.number);
        if (!r.IsObject()) throw std::runtime_error(where + ": expected an object, found " + type_name(r));
        const auto name = r.FindMember("rulename");
        if (name == r.MemberEnd()) throw std::runtime_error(where + ": missing \"rulename\"");
        if (!name->value.IsString()) throw std::runtime_error(where + ": \"rulename\" must be a string");
        rule.name.assign(name->value.GetString(), name->value.GetStringLength());
        where += " (\"" + rule.name + "\")";
        const auto cond = r.FindMember("if");
        const auto then = r.FindMember("then");
        if (cond == r.MemberEnd()) throw std::runtime_error(where + ": missing \"if\"");
        if (then == r.MemberEnd()) throw std::runtime_error(where + ": missing \"then\"");
        if (!cond->value.IsObject())
            throw std::runtime_error(where + ": \"if\" must be an object of field: condition, found " +
                                     type_name(cond->value));
        if (!then->value.IsObject())
            throw std::runtime_error(where + ": \"then\" must be an object of field: value, found " +
                                     type_name(then->value));
        for (const auto& m : r.GetObject()) {
            const std::string_view key(m.name.GetString(), m.name.GetStringLength());
            if (key != "rulename" && key != "if" && key != "then")
                warnings.push_back(where + ": key \"" + std::string(key) + "\" is not rulename, if or then; ignored");
        }
        for (const auto& c : cond->value.GetObject())
            rule.conditions.push_back(make_condition(std::string(c.name.GetString(), c.name.GetStringLength()), c.value,
                                                     case_sensitive, where));
        for (const auto& t : then->value.GetObject())
            rule.actions.push_back(
                make_action(std::string(t.name.GetString(), t.name.GetStringLength()), t.value, rule, where));
        rules.push_back(std::move(rule));
    }
    return rules;
}

}  // namespace sluice::modify
