// SPDX-License-Identifier: AGPL-3.0-or-later
#include "message_compare.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sluice/codec.hpp>

namespace sluice::conformance {

std::string compact(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

bool comparable(std::string_view json, rapidjson::Document& out, std::string& error) {
    out.Parse(json.data(), json.size());
    if (out.HasParseError() || !out.IsObject()) {
        error = "not a JSON object: " + std::string(json.substr(0, 200));
        return false;
    }
    out.RemoveMember("time.observation");
    if (auto it = out.FindMember("output"); it != out.MemberEnd() && it->value.IsString()) {
        rapidjson::Document decoded(&out.GetAllocator());
        decoded.Parse(it->value.GetString(), it->value.GetStringLength());
        if (decoded.HasParseError()) {
            error = "field 'output' is not JSON: " + std::string(it->value.GetString(), it->value.GetStringLength());
            return false;
        }
        it->value.CopyFrom(decoded, out.GetAllocator());
    }
    return true;
}

std::vector<Difference> differences(const rapidjson::Value& expected, const rapidjson::Value& got) {
    std::vector<Difference> out;
    for (const auto& m : expected.GetObject()) {
        const std::string key(m.name.GetString(), m.name.GetStringLength());
        const auto it = got.FindMember(m.name);
        if (it == got.MemberEnd()) {
            out.push_back({Difference::Kind::missing, key, compact(m.value), {}});
        } else if (!(it->value == m.value)) {
            out.push_back({Difference::Kind::different, key, compact(m.value), compact(it->value)});
        }
    }
    for (const auto& m : got.GetObject()) {
        if (!expected.HasMember(m.name)) {
            out.push_back({Difference::Kind::extra,
                           std::string(m.name.GetString(), m.name.GetStringLength()),
                           {},
                           compact(m.value)});
        }
    }
    return out;
}

namespace {

// `raw` is base64: its decoded text says more to a reader than the encoding does.
std::string with_decoded(const std::string& key, const std::string& value_json) {
    if (key != "raw" || value_json.size() < 2 || value_json.front() != '"') return value_json;
    try {
        return value_json + " (decoded: " + base64::decode(value_json.substr(1, value_json.size() - 2)) + ")";
    } catch (const base64::DecodeError&) {
        return value_json;
    }
}

}  // namespace

std::string describe(const Difference& d) {
    switch (d.kind) {
        case Difference::Kind::missing:
            return "missing key '" + d.key + "' (expected " + with_decoded(d.key, d.expected) + ")";
        case Difference::Kind::extra:
            return "extra key '" + d.key + "' = " + with_decoded(d.key, d.got);
        case Difference::Kind::different:
            return "key '" + d.key + "': expected " + with_decoded(d.key, d.expected) + ", got " +
                   with_decoded(d.key, d.got);
    }
    return {};
}

}  // namespace sluice::conformance
