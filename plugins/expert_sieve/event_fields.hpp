// SPDX-License-Identifier: AGPL-3.0-or-later
// The typed values of an event's fields, as the rules read them. Types matter (80 is not "80"), and
// the host's field_get gives only text: a string's own text, or the JSON of a number, boolean, list
// or object. So a text that is not valid JSON can only be a string, and is taken as one; a text
// that is valid JSON ("80", "true", "[1]", "\"x\"") may be either, and the event's JSON wire format
// is decoded to tell. Typical events (names, addresses, URLs) are thus never decoded whole.
//
// Fields read are kept for the event; a change to a field makes only that field be read again.
// The memory is kept from event to event: values are copied into a pool over a kept buffer that is
// emptied, not freed, for each event, and the JSON is parsed in place in a reused copy.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/reader.h>
#include <sluice/bot.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::sieve {

class EventFields {
 public:
    EventFields();
    EventFields(const EventFields&) = delete;
    EventFields& operator=(const EventFields&) = delete;

    // Forgets the last event's values; `event` is read when a field is asked for.
    void start(const sluice::Message& event);

    // The key's value; nullptr when the event has no such key. Valid until the next call.
    const rapidjson::Value* find(std::string_view key);

    // The key was set or removed in the event: its value is read again when asked for.
    void changed(std::string_view key);

 private:
    bool is_json(std::string_view text);
    void decode();
    std::string_view keep(std::string_view text);  // a copy in the pool, valid for the event

    static constexpr size_t kPoolBytes = 16 * 1024;  // an event's values fit: no allocation per event
    std::unique_ptr<char[]> pool_buffer_;
    rapidjson::MemoryPoolAllocator<> pool_;
    rapidjson::Value strings_;  // key -> string value, for fields whose text is not JSON (in pool_)
    rapidjson::Document doc_;   // the whole event, when decoded
    std::string json_;          // the copy doc_ is parsed in: its strings point into it
    rapidjson::Reader reader_;  // checks whether a text is JSON; keeps its stack

    const sluice::Message* event_ = nullptr;
    bool decoded_ = false;
    std::vector<std::string_view> stale_;  // keys changed since doc_ was decoded (text in pool_)
};

}  // namespace sluice::sieve
