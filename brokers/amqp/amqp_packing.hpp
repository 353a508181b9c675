// SPDX-License-Identifier: AGPL-3.0-or-later
// Several records in one AMQP message: the broker's cost is per message (publish, confirm, deliver,
// ack, and for quorum queues a Raft log entry), not per byte, so a batch sent as a few messages
// instead of hundreds is what lets RabbitMQ keep up. A packed message is newline-delimited JSON
// (content type application/x-ndjson): the records joined by '\n'. Every other message, among them
// IntelMQ's application/json ones and Sluice's own single-record ones, is exactly one record.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

inline constexpr std::string_view kAmqpPackedType = "application/x-ndjson";
inline constexpr std::string_view kAmqpRecordType = "application/json";
// A packed message stops growing at this size (RabbitMQ refuses messages over max_message_size,
// 128 MiB by default; a smaller body also keeps a consumer's prefetch a sane amount of memory).
inline constexpr size_t kAmqpPackedMaxBytes = 16u << 20;

// Cuts `records` into messages of at most `per_message` records and calls `send(body, packed)` for
// each, in order. A message holding one record is sent as that record alone (packed = false), so
// IntelMQ can read it. A record containing '\n' cannot be told apart from two records inside a
// packed body: it is never packed but sent alone, after the records before it.
void pack_amqp_records(const std::vector<std::string_view>& records, size_t per_message, std::string& scratch,
                       const std::function<void(std::string_view body, bool packed)>& send);

// Appends the records of one message body to `out`: split at '\n' when packed, else the body whole.
void unpack_amqp_records(std::string_view body, bool packed, std::vector<std::string_view>& out);

}  // namespace sluice
