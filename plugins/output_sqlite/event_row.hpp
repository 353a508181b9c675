// SPDX-License-Identifier: AGPL-3.0-or-later
//
// One event as one row: binds each field of the event's JSON to its column of the INSERT with its
// JSON type kept (numbers as INTEGER/REAL, booleans as 0/1, text as TEXT, JSON values as JSON
// text), and gathers the extra.* keys into one JSON object for the "extra" column.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events_table.hpp"

namespace sluice::output_sqlite {

class EventRow {
 public:
    // Parses the event (IntelMQ's wire format) and binds it to table.insert(), adding columns the
    // table lacks when it may. Throws std::runtime_error for JSON that is not an object.
    void bind(std::string_view event_json, EventsTable& table);

 private:
    // A document's pool only grows, so each event gets a fresh one, carved from a buffer kept
    // between events: no allocation for a usual event, and nothing piles up.
    alignas(8) std::array<char, 32 * 1024> pool_buffer_;
    std::optional<rapidjson::MemoryPoolAllocator<>> pool_;
    std::optional<rapidjson::Document> doc_;
    rapidjson::StringBuffer extra_;
    std::vector<std::string> texts_;  // JSON values written out; alive until the row is stepped
};

}  // namespace sluice::output_sqlite
