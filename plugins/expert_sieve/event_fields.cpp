// SPDX-License-Identifier: AGPL-3.0-or-later
#include "event_fields.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>

#include <algorithm>
#include <cstring>

namespace sluice::sieve {

EventFields::EventFields()
    : pool_buffer_(new char[kPoolBytes]),
      pool_(pool_buffer_.get(), kPoolBytes),
      strings_(rapidjson::kObjectType),
      doc_(&pool_) {}

void EventFields::start(const sluice::Message& event) {
    // Drops the last event's values without touching them (a pool frees nothing one by one), then
    // empties the pool.
    strings_.SetObject();
    doc_.SetNull();
    pool_.Clear();
    event_ = &event;
    decoded_ = false;
    stale_.clear();
}

std::string_view EventFields::keep(std::string_view text) {
    char* copy = static_cast<char*>(pool_.Malloc(text.size() + 1));
    std::memcpy(copy, text.data(), text.size());
    return {copy, text.size()};
}

bool EventFields::is_json(std::string_view text) {
    // What JSON text can start with (leading whitespace included); anything else is a string.
    if (text.empty() || std::strchr("{[\"-0123456789tfn \t\r\n", text.front()) == nullptr) return false;
    rapidjson::MemoryStream ms(text.data(), text.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(ms);
    rapidjson::BaseReaderHandler<> ignore;
    return !reader_.Parse(in, ignore).IsError();
}

void EventFields::decode() {
    const std::string_view json = event_->json();
    json_.assign(json.data(), json.size());
    doc_.ParseInsitu(json_.data());
    decoded_ = true;
    stale_.clear();
}

const rapidjson::Value* EventFields::find(std::string_view key) {
    const rapidjson::Value name = rapidjson::Value(rapidjson::StringRef(key.data(), key.size()));
    if (const auto it = strings_.FindMember(name); it != strings_.MemberEnd()) return &it->value;
    const bool fresh = decoded_ && std::find(stale_.begin(), stale_.end(), key) == stale_.end();
    if (!fresh) {
        const std::optional<std::string_view> text = event_->get(key);
        if (!text) return nullptr;
        if (!is_json(*text)) {
            const std::string_view k = keep(key), v = keep(*text);
            strings_.AddMember(rapidjson::Value(rapidjson::StringRef(k.data(), k.size())),
                               rapidjson::Value(rapidjson::StringRef(v.data(), v.size())), pool_);
            return &(strings_.MemberEnd() - 1)->value;
        }
        decode();
    }
    if (!doc_.IsObject()) return nullptr;
    const auto it = doc_.FindMember(name);
    return it == doc_.MemberEnd() ? nullptr : &it->value;
}

void EventFields::changed(std::string_view key) {
    const rapidjson::Value name = rapidjson::Value(rapidjson::StringRef(key.data(), key.size()));
    if (const auto it = strings_.FindMember(name); it != strings_.MemberEnd()) strings_.EraseMember(it);
    if (decoded_ && std::find(stale_.begin(), stale_.end(), key) == stale_.end()) stale_.push_back(keep(key));
}

}  // namespace sluice::sieve
