// SPDX-License-Identifier: AGPL-3.0-or-later
#include "bulk_response.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <stdexcept>

namespace sluice::output_elasticsearch {
namespace {

std::string text(const rapidjson::Value& v, const char* key) {
    if (!v.IsObject()) return {};
    auto it = v.FindMember(key);
    if (it == v.MemberEnd()) return {};
    if (it->value.IsString()) return std::string(it->value.GetString(), it->value.GetStringLength());
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    it->value.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

std::string describe_error(const rapidjson::Value& error) {
    if (error.IsString()) return error.GetString();  // very old versions: a plain string
    if (!error.IsObject()) {                         // anything else a proxy or an odd server says: shown as it is
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        error.Accept(w);
        return std::string(buf.GetString(), buf.GetSize());
    }
    std::string out = text(error, "type") + ": " + text(error, "reason");
    auto cause = error.FindMember("caused_by");
    if (cause != error.MemberEnd() && cause->value.IsObject())
        out += " (caused by " + text(cause->value, "type") + ": " + text(cause->value, "reason") + ")";
    return out;
}

}  // namespace

std::vector<BulkItemResult> parse_bulk_response(std::string_view body, size_t expected) {
    rapidjson::Document d;
    d.Parse(body.data(), body.size());
    if (d.HasParseError() || !d.IsObject()) throw std::runtime_error("the bulk answer is not a JSON object");
    auto items = d.FindMember("items");
    if (items == d.MemberEnd() || !items->value.IsArray())
        throw std::runtime_error("the bulk answer has no \"items\" array");
    if (items->value.Size() != expected)
        throw std::runtime_error("the bulk answer has " + std::to_string(items->value.Size()) + " items for " +
                                 std::to_string(expected) + " actions");
    std::vector<BulkItemResult> out;
    out.reserve(expected);
    for (const auto& item : items->value.GetArray()) {
        // {"index": {...}} (or "create"/"update"/"delete" for other actions)
        if (!item.IsObject() || item.MemberCount() != 1)
            throw std::runtime_error("a bulk answer item is not {action: {...}}");
        const rapidjson::Value& r = item.MemberBegin()->value;
        if (!r.IsObject()) throw std::runtime_error("a bulk answer item's result is not an object");
        BulkItemResult res;
        auto status = r.FindMember("status");
        if (status == r.MemberEnd() || !status->value.IsInt())
            throw std::runtime_error("a bulk answer item has no status");
        res.status = status->value.GetInt();
        res.index = text(r, "_index");
        auto error = r.FindMember("error");
        if (error != r.MemberEnd())
            res.error = describe_error(error->value);
        else if (!res.ok())
            res.error = "status " + std::to_string(res.status) + " without an error object";
        out.push_back(std::move(res));
    }
    return out;
}

}  // namespace sluice::output_elasticsearch
