// SPDX-License-Identifier: AGPL-3.0-or-later
// Packing records into AMQP message bodies and splitting them again (amqp_packing.hpp).
#include "amqp_packing.hpp"

namespace sluice {

void pack_amqp_records(const std::vector<std::string_view>& records, size_t per_message, std::string& scratch,
                       const std::function<void(std::string_view body, bool packed)>& send) {
    size_t first = 0, count = 0;  // the records gathered for the next message
    auto flush = [&] {
        if (count == 1) {
            send(records[first], false);
        } else if (count > 1) {
            scratch.clear();
            for (size_t i = first; i < first + count; ++i) {
                if (i > first) scratch.push_back('\n');
                scratch.append(records[i]);
            }
            send(scratch, true);
        }
        count = 0;
    };
    size_t bytes = 0;
    for (size_t i = 0; i < records.size(); ++i) {
        const std::string_view r = records[i];
        if (per_message > 1 && r.find('\n') != std::string_view::npos) {
            flush();
            send(r, false);
            continue;
        }
        if (count > 0 && (count >= per_message || bytes + 1 + r.size() > kAmqpPackedMaxBytes)) flush();
        if (count == 0) {
            first = i;
            bytes = 0;
        } else {
            ++bytes;  // the separator
        }
        ++count;
        bytes += r.size();
    }
    flush();
}

void unpack_amqp_records(std::string_view body, bool packed, std::vector<std::string_view>& out) {
    if (!packed) {
        out.push_back(body);
        return;
    }
    for (;;) {
        const size_t nl = body.find('\n');
        out.push_back(body.substr(0, nl));
        if (nl == std::string_view::npos) return;
        body.remove_prefix(nl + 1);
    }
}

}  // namespace sluice
