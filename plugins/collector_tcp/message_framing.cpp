// SPDX-License-Identifier: AGPL-3.0-or-later
#include "message_framing.hpp"

#include <cstdint>

namespace sluice::collector_tcp {

size_t take_frames(std::string& buffer, size_t max_size, size_t max_count, std::vector<std::string>& out) {
    size_t pos = 0, count = 0;
    while (count < max_count && buffer.size() - pos >= 4) {
        const auto* b = reinterpret_cast<const unsigned char*>(buffer.data() + pos);
        const size_t length = (size_t{b[0]} << 24) | (size_t{b[1]} << 16) | (size_t{b[2]} << 8) | size_t{b[3]};
        if (length > max_size) {
            throw FramingError("a message announces " + std::to_string(length) + " bytes, more than max_message_size " +
                               std::to_string(max_size) + ": the sender does not use IntelMQ's length-prefixed " +
                               "framing (a plain sender needs the 'separator' parameter)");
        }
        if (buffer.size() - pos - 4 < length) break;
        out.emplace_back(buffer, pos + 4, length);
        pos += 4 + length;
        ++count;
    }
    buffer.erase(0, pos);
    return count;
}

size_t take_records(std::string& buffer, std::string_view separator, size_t max_size, size_t max_count,
                    std::vector<std::string>& out) {
    size_t pos = 0, count = 0;
    while (count < max_count) {
        const size_t end = buffer.find(separator, pos);
        if (end == std::string::npos) break;
        out.emplace_back(buffer, pos, end - pos);
        pos = end + separator.size();
        ++count;
    }
    buffer.erase(0, pos);
    if (buffer.size() > max_size) {
        throw FramingError("more than max_message_size " + std::to_string(max_size) +
                           " bytes arrived without a separator");
    }
    return count;
}

}  // namespace sluice::collector_tcp
