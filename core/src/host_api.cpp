// SPDX-License-Identifier: AGPL-3.0-or-later
// The host function table handed to every bot (bot.h's sluice_host_api). Each function is a thin
// adapter from the C boundary to core; none lets an exception cross back into the plugin.
#include <chrono>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "sluice/core/bot_instance.hpp"

namespace sluice {
namespace {

std::string_view sv(sluice_str s) { return {s.ptr ? s.ptr : "", s.len}; }
sluice_str str(std::string_view s) { return {s.data(), s.size()}; }

void h_log(sluice_ctx* ctx, uint32_t level, sluice_str text) {
    LogLevel l = level >= SLUICE_LOG_CRITICAL  ? LogLevel::critical
                 : level >= SLUICE_LOG_ERROR   ? LogLevel::error
                 : level >= SLUICE_LOG_WARNING ? LogLevel::warning
                 : level >= SLUICE_LOG_INFO    ? LogLevel::info
                                               : LogLevel::debug;
    ctx->log->log(l, sv(text));
}

void h_set_error(sluice_ctx* ctx, sluice_str text) { ctx->error.assign(sv(text)); }

int h_param_get(const sluice_params* p, sluice_str name, sluice_str* out) {
    const ParamValue* v = p->find(sv(name));
    if (!v) return 0;
    *out = str(v->text);
    return 1;
}

size_t h_param_list_size(const sluice_params* p, sluice_str name) {
    const ParamValue* v = p->find(sv(name));
    return v ? v->list.size() : 0;
}

int h_param_list_item(const sluice_params* p, sluice_str name, size_t index, sluice_str* out) {
    const ParamValue* v = p->find(sv(name));
    if (!v || index >= v->list.size()) return 0;
    *out = str(v->list[index]);
    return 1;
}

uint32_t h_msg_type(const sluice_msg* m) {
    return m->message.type() == MessageType::report ? SLUICE_MSG_REPORT : SLUICE_MSG_EVENT;
}

sluice_msg* h_new_event(sluice_ctx* ctx, const sluice_msg* report) {
    sluice_msg* m = ctx->make(MessageType::event);
    if (report) {
        for (std::string_view key : report_keys_copied_to_events)
            if (const Field* f = report->message.find(key)) m->message.put_trusted(f->key, f->text, f->kind);
    }
    return m;
}

sluice_msg* h_new_report(sluice_ctx* ctx) {
    sluice_msg* m = ctx->make(MessageType::report);
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[40];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    m->message.put_trusted("time.observation", stamp, ValueKind::string);
    return m;
}

int h_field_get(const sluice_msg* m, sluice_str key, sluice_str* out) {
    const Field* f = m->message.find(sv(key));
    if (!f) return 0;
    *out = str(f->text);
    return 1;
}

uint32_t h_field_set(sluice_ctx* ctx, sluice_msg* m, sluice_str key, sluice_str value, uint32_t flags) {
    try {
        ctx->field_error.clear();
        return static_cast<uint32_t>(m->message.set(sv(key), sv(value), (flags & SLUICE_SET_OVERWRITE) != 0,
                                                    (flags & SLUICE_SET_JSON) != 0, &ctx->field_error));
    } catch (const std::exception& e) {
        ctx->field_error = e.what();
        return SLUICE_FIELD_INVALID;
    }
}

uint32_t h_field_remove(sluice_msg* m, sluice_str key) {
    return m->message.remove(sv(key)) ? SLUICE_FIELD_OK : SLUICE_FIELD_NOT_FOUND;
}

size_t h_field_count(const sluice_msg* m) { return m->message.fields().size(); }

int h_field_at(const sluice_msg* m, size_t index, sluice_str* key, sluice_str* value) {
    const auto& fields = m->message.fields();
    if (index >= fields.size()) return 0;
    *key = str(fields[index].key);
    *value = str(fields[index].text);
    return 1;
}

sluice_str h_msg_json(sluice_ctx* ctx, const sluice_msg* m, uint32_t flags) {
    ctx->json.clear();
    if (flags & SLUICE_JSON_HIERARCHICAL)
        m->message.to_hierarchical_json(ctx->json);
    else
        m->message.to_json(ctx->json);
    return str(ctx->json);
}

int h_emit(sluice_ctx* ctx, const sluice_msg* m, sluice_str path) {
    try {
        const std::string_view p = path.len ? sv(path) : std::string_view("_default");
        if (ctx->hooks->emit(p, m->message)) return 0;
        ctx->error = "path '" + std::string(p) + "' is not configured for this bot";
        return -1;
    } catch (const std::exception& e) {
        ctx->error = e.what();
        return -1;
    }
}

void h_fail_record(sluice_ctx* ctx, sluice_str record, sluice_str reason) {
    try {
        ctx->hooks->fail_record(sv(record), sv(reason));
    } catch (const std::exception& e) {
        ctx->log->error(std::string("could not record a failed record: ") + e.what());
    }
}

void h_counter_add(sluice_ctx* ctx, sluice_str name, int64_t delta) {
    if (ctx->hooks->counter) ctx->hooks->counter(sv(name), delta);
}

int h_should_stop(sluice_ctx* ctx) {
    return ctx->stop_requested || (ctx->hooks->should_stop && ctx->hooks->should_stop()) ? 1 : 0;
}

sluice_str h_field_error(sluice_ctx* ctx) { return str(ctx->field_error); }

void h_msg_discard(sluice_ctx* ctx, sluice_msg* m) { ctx->discard(m); }

int h_msg_hash(sluice_ctx* ctx, const sluice_msg* m, const sluice_str* keys, size_t key_count, uint32_t mode,
               char out_hex[65]) {
    if (mode != SLUICE_HASH_BLACKLIST && mode != SLUICE_HASH_WHITELIST) {
        ctx->error = "msg_hash: unknown mode " + std::to_string(mode) + " (0 blacklist, 1 whitelist)";
        return -1;
    }
    try {
        std::vector<std::string_view> filter;
        filter.reserve(key_count);
        for (size_t i = 0; i < key_count; ++i) filter.push_back(sv(keys[i]));
        const std::string hex =
            message_hash(m->message, filter, mode == SLUICE_HASH_WHITELIST ? HashKeys::whitelist : HashKeys::blacklist);
        std::memcpy(out_hex, hex.c_str(), 65);
        return 0;
    } catch (const std::exception& e) {
        ctx->error = std::string("msg_hash: ") + e.what();
        return -1;
    }
}

}  // namespace

const sluice_host_api& host_api() {
    static const sluice_host_api api = {
        sizeof(sluice_host_api),
        SLUICE_ABI_MAJOR,
        SLUICE_ABI_MINOR,
        &h_log,
        &h_set_error,
        &h_param_get,
        &h_param_list_size,
        &h_param_list_item,
        &h_msg_type,
        &h_new_event,
        &h_new_report,
        &h_field_get,
        &h_field_set,
        &h_field_remove,
        &h_field_count,
        &h_field_at,
        &h_msg_json,
        &h_emit,
        &h_fail_record,
        &h_counter_add,
        &h_should_stop,
        &h_field_error,
        &h_msg_discard,
        &h_msg_hash,
    };
    return api;
}

}  // namespace sluice
