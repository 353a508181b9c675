// SPDX-License-Identifier: MIT
//
// The comfortable C++20 side of the Sluice bot ABI (bot.h). Header-only, so nothing of it crosses
// the plugin boundary: a bot is a class, SLUICE_EXPORT_BOT turns it into the C descriptor, and
// every exception is caught here and turned into a status plus a reason for the host.
//
//   class Upper {
//    public:
//     Upper(const sluice::Params& p, sluice::Context& ctx) : key_(p.string("key")) {}
//     sluice::Status process(sluice::Message& in, sluice::Context& ctx) {
//       if (auto v = in.get(key_)) in.set(key_, to_upper(*v), sluice::overwrite);
//       ctx.emit(in);
//       return sluice::Status::ok;
//     }
//   };
//   SLUICE_EXPORT_BOT(Upper, SLUICE_KIND_EXPERT, "expert_upper", "1.0.0", "Upper-cases a field",
//                     SLUICE_PARAM("key", SLUICE_PARAM_STRING, 1, nullptr, "the field"))
#pragma once

#include <sluice/bot.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

enum class Status : uint32_t {
    ok = SLUICE_OK,
    retry = SLUICE_RETRY,
    reject = SLUICE_REJECT,
    fatal = SLUICE_FATAL,
};

// Thrown by a bot for input that can never be processed: the message is dumped, not retried.
struct RejectError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// Thrown by a bot (usually from its constructor) when it cannot run at all.
struct FatalError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// Thrown by Message::set when the harmonization refuses a value; a RejectError, since retrying the
// same value cannot help.
struct FieldError : RejectError {
    FieldError(std::string what, sluice_field_result r) : RejectError(std::move(what)), result(r) {}
    sluice_field_result result;
};

inline sluice_str to_str(std::string_view s) { return sluice_str{s.data(), s.size()}; }
inline std::string_view from_str(sluice_str s) { return {s.ptr ? s.ptr : "", s.len}; }

enum SetFlags : uint32_t { none = 0, overwrite = SLUICE_SET_OVERWRITE, json = SLUICE_SET_JSON };

// IntelMQ's filter_type for Message::hash: leave the keys out, or use only them.
enum class FilterType : uint32_t { blacklist = SLUICE_HASH_BLACKLIST, whitelist = SLUICE_HASH_WHITELIST };

// Whether the host provides msg_hash (a host built before it was added does not).
inline bool host_has_msg_hash(const sluice_host_api* api) {
    return api->struct_size > offsetof(sluice_host_api, msg_hash) && api->msg_hash != nullptr;
}

class Context;

// A borrowed handle on a host-owned message.
class Message {
 public:
    Message(const sluice_host_api* api, sluice_ctx* ctx, sluice_msg* msg) : api_(api), ctx_(ctx), msg_(msg) {}

    bool is_report() const { return api_->msg_type(msg_) == SLUICE_MSG_REPORT; }
    bool is_event() const { return api_->msg_type(msg_) == SLUICE_MSG_EVENT; }

    // The value's text; valid until the message changes or the callback returns.
    std::optional<std::string_view> get(std::string_view key) const {
        sluice_str out{};
        if (api_->field_get(msg_, to_str(key), &out) == 0) return std::nullopt;
        return from_str(out);
    }
    bool has(std::string_view key) const { return get(key).has_value(); }

    // Stores a value through the harmonization; throws FieldError when it is refused.
    // Returns false when the value was one of the ignored placeholders ("", "-", "N/A").
    bool set(std::string_view key, std::string_view value, uint32_t flags = none) {
        auto r = try_set(key, value, flags);
        if (r == SLUICE_FIELD_OK) return true;
        if (r == SLUICE_FIELD_IGNORED) return false;
        throw FieldError(refusal(key, r), r);
    }
    // Like set, but reports the result instead of throwing (IntelMQ's raise_failure=False).
    sluice_field_result try_set(std::string_view key, std::string_view value, uint32_t flags = none) {
        return static_cast<sluice_field_result>(api_->field_set(ctx_, msg_, to_str(key), to_str(value), flags));
    }
    bool remove(std::string_view key) { return api_->field_remove(msg_, to_str(key)) == SLUICE_FIELD_OK; }

    template <class F>
    void for_each(F&& f) const {
        const size_t n = api_->field_count(msg_);
        for (size_t i = 0; i < n; ++i) {
            sluice_str k{}, v{};
            if (api_->field_at(msg_, i, &k, &v)) f(from_str(k), from_str(v));
        }
    }
    // IntelMQ's JSON wire format (or nested with hierarchical = true).
    std::string_view json(bool hierarchical = false) const {
        return from_str(api_->msg_json(ctx_, msg_, hierarchical ? SLUICE_JSON_HIERARCHICAL : 0));
    }

    // IntelMQ's Message.hash(filter_keys=keys, filter_type=filter): 64 hex digits of the SHA-256
    // over the fields (time.observation never included), computed by the host, which knows each
    // value's JSON type. Throws FatalError when the host does not provide it.
    std::string hash(const std::vector<std::string>& keys, FilterType filter = FilterType::blacklist) const {
        if (!host_has_msg_hash(api_)) throw FatalError("this host does not provide msg_hash; update sluice-host");
        // Called once per event by a deduplicator: the key views live on the stack when they fit.
        constexpr size_t kInline = 16;
        sluice_str inline_views[kInline];
        std::vector<sluice_str> heap_views;
        sluice_str* views = inline_views;
        if (keys.size() > kInline) {
            heap_views.resize(keys.size());
            views = heap_views.data();
        }
        for (size_t i = 0; i < keys.size(); ++i) views[i] = to_str(keys[i]);
        char hex[65] = {};
        if (api_->msg_hash(ctx_, msg_, views, keys.size(), static_cast<uint32_t>(filter), hex) != 0)
            throw std::runtime_error("msg_hash failed");
        return std::string(hex, 64);
    }

    sluice_msg* handle() const { return msg_; }

 private:
    std::string refusal(std::string_view key, sluice_field_result r) const;
    const sluice_host_api* api_;
    sluice_ctx* ctx_;
    sluice_msg* msg_;
    friend class Context;
};

class Context {
 public:
    Context(const sluice_host_api* api, sluice_ctx* ctx) : api_(api), ctx_(ctx) {}

    void log(sluice_log_level level, std::string_view text) { api_->log(ctx_, level, to_str(text)); }
    void debug(std::string_view t) { log(SLUICE_LOG_DEBUG, t); }
    void info(std::string_view t) { log(SLUICE_LOG_INFO, t); }
    void warning(std::string_view t) { log(SLUICE_LOG_WARNING, t); }
    void error(std::string_view t) { log(SLUICE_LOG_ERROR, t); }

    Message new_event(const Message* report = nullptr) {
        return Message(api_, ctx_, api_->new_event(ctx_, report ? report->msg_ : nullptr));
    }
    Message new_report() { return Message(api_, ctx_, api_->new_report(ctx_)); }
    // Hands a message made by new_event/new_report back to the host once it is emitted; `m` must
    // not be used afterwards. Optional: unreturned messages are freed when the callback returns.
    void discard(Message& m) {
        if (api_->struct_size > offsetof(sluice_host_api, msg_discard) && api_->msg_discard)
            api_->msg_discard(ctx_, m.msg_);
        m.msg_ = nullptr;
    }

    // Sends a copy of the message; throws when the path is not configured and required.
    void emit(const Message& m, std::string_view path = {}) {
        if (api_->emit(ctx_, m.msg_, to_str(path)) != 0)
            throw std::runtime_error("emit to path '" + std::string(path.empty() ? "_default" : path) +
                                     "' failed: the bot's `to` names no such path");
    }
    // Sends only if the path is configured; returns whether it was.
    bool emit_if_configured(const Message& m, std::string_view path) {
        return api_->emit(ctx_, m.msg_, to_str(path)) == 0;
    }

    void fail_record(std::string_view record, std::string_view reason) {
        api_->fail_record(ctx_, to_str(record), to_str(reason));
    }
    void count(std::string_view name, int64_t delta = 1) { api_->counter_add(ctx_, to_str(name), delta); }
    bool should_stop() const { return api_->should_stop(ctx_) != 0; }

    const sluice_host_api* api() const { return api_; }
    sluice_ctx* raw() const { return ctx_; }

 private:
    const sluice_host_api* api_;
    sluice_ctx* ctx_;
};

// The validated parameters, defaults already filled in by the host.
class Params {
 public:
    Params(const sluice_host_api* api, const sluice_params* p) : api_(api), p_(p) {}

    std::optional<std::string_view> get(std::string_view name) const {
        sluice_str out{};
        if (api_->param_get(p_, to_str(name), &out) == 0) return std::nullopt;
        return from_str(out);
    }
    std::string string(std::string_view name, std::string_view fallback = {}) const {
        auto v = get(name);
        return std::string(v ? *v : fallback);
    }
    int64_t integer(std::string_view name, int64_t fallback = 0) const {
        auto v = get(name);
        return v ? std::stoll(std::string(*v)) : fallback;
    }
    double number(std::string_view name, double fallback = 0) const {
        auto v = get(name);
        return v ? std::stod(std::string(*v)) : fallback;
    }
    bool boolean(std::string_view name, bool fallback = false) const {
        auto v = get(name);
        return v ? *v == "true" : fallback;
    }
    std::vector<std::string> list(std::string_view name) const {
        std::vector<std::string> out;
        const size_t n = api_->param_list_size(p_, to_str(name));
        for (size_t i = 0; i < n; ++i) {
            sluice_str s{};
            if (api_->param_list_item(p_, to_str(name), i, &s)) out.emplace_back(from_str(s));
        }
        return out;
    }

 private:
    const sluice_host_api* api_;
    const sluice_params* p_;
};

inline std::string Message::refusal(std::string_view key, sluice_field_result r) const {
    // The host says exactly why; a host older than this header may not, then say what we know.
    if (api_->struct_size > offsetof(sluice_host_api, field_error) && api_->field_error) {
        const auto why = from_str(api_->field_error(ctx_));
        if (!why.empty()) return std::string(why);
    }
    switch (r) {
        case SLUICE_FIELD_EXISTS:
            return "field '" + std::string(key) + "' already has a value";
        case SLUICE_FIELD_UNKNOWN_KEY:
            return "field '" + std::string(key) + "' is not in the harmonization";
        default:
            return "field '" + std::string(key) + "': invalid value";
    }
}

namespace detail {

// One instance of the bot class plus the handles it was made with.
template <class Bot>
struct Instance {
    const sluice_host_api* api;
    Bot bot;
};

inline void report(const sluice_host_api* api, sluice_ctx* ctx, std::string_view what) {
    api->set_error(ctx, to_str(what));
}

// Runs a callback body, turning exceptions into a status and a reason for the host.
template <class F>
uint32_t guarded(const sluice_host_api* api, sluice_ctx* ctx, F&& f) noexcept {
    try {
        return static_cast<uint32_t>(f());
    } catch (const RejectError& e) {
        report(api, ctx, e.what());
        return SLUICE_REJECT;
    } catch (const FatalError& e) {
        report(api, ctx, e.what());
        return SLUICE_FATAL;
    } catch (const std::exception& e) {
        report(api, ctx, e.what());
        return SLUICE_RETRY;
    } catch (...) {
        report(api, ctx, "unknown exception");
        return SLUICE_RETRY;
    }
}

template <class Bot>
uint32_t create(const sluice_host_api* api, sluice_ctx* ctx, const sluice_params* params, void** state) {
    return guarded(api, ctx, [&] {
        Params p(api, params);
        Context c(api, ctx);
        *state = new Instance<Bot>{api, Bot(p, c)};
        return SLUICE_OK;
    });
}

template <class Bot>
uint32_t process(void* state, sluice_ctx* ctx, sluice_msg* msg) {
    auto* inst = static_cast<Instance<Bot>*>(state);
    return guarded(inst->api, ctx, [&] {
        Context c(inst->api, ctx);
        Message m(inst->api, ctx, msg);
        return inst->bot.process(m, c);
    });
}

template <class Bot>
uint32_t collect(void* state, sluice_ctx* ctx) {
    auto* inst = static_cast<Instance<Bot>*>(state);
    return guarded(inst->api, ctx, [&] {
        Context c(inst->api, ctx);
        return inst->bot.collect(c);
    });
}

template <class Bot>
uint32_t flush(void* state, sluice_ctx* ctx) {
    auto* inst = static_cast<Instance<Bot>*>(state);
    return guarded(inst->api, ctx, [&] {
        Context c(inst->api, ctx);
        return inst->bot.flush(c);
    });
}

template <class Bot>
void on_durable(void* state, sluice_ctx* ctx) {
    auto* inst = static_cast<Instance<Bot>*>(state);
    (void)guarded(inst->api, ctx, [&] {
        Context c(inst->api, ctx);
        inst->bot.on_durable(c);
        return SLUICE_OK;
    });
}

template <class Bot>
void destroy(void* state) {
    delete static_cast<Instance<Bot>*>(state);  // the one owner: the host calls destroy once
}

template <class Bot>
constexpr auto process_fn() {
    if constexpr (requires(Bot & b, Message & m, Context & c) { b.process(m, c); })
        return &process<Bot>;
    else
        return static_cast<uint32_t (*)(void*, sluice_ctx*, sluice_msg*)>(nullptr);
}
template <class Bot>
constexpr auto collect_fn() {
    if constexpr (requires(Bot & b, Context & c) { b.collect(c); })
        return &collect<Bot>;
    else
        return static_cast<uint32_t (*)(void*, sluice_ctx*)>(nullptr);
}
template <class Bot>
constexpr auto flush_fn() {
    if constexpr (requires(Bot & b, Context & c) { b.flush(c); })
        return &flush<Bot>;
    else
        return static_cast<uint32_t (*)(void*, sluice_ctx*)>(nullptr);
}
template <class Bot>
constexpr auto on_durable_fn() {
    if constexpr (requires(Bot & b, Context & c) { b.on_durable(c); })
        return &on_durable<Bot>;
    else
        return static_cast<void (*)(void*, sluice_ctx*)>(nullptr);
}

// The paths a bot emits to besides "_default": its `static constexpr const char* kPaths[]`
// (ending with nullptr) if it has one, else none.
inline constexpr const char* kNoPaths[] = {nullptr};
template <class Bot>
constexpr const char* const* paths_of() {
    if constexpr (requires { Bot::kPaths; })
        return Bot::kPaths;
    else
        return kNoPaths;
}

}  // namespace detail
}  // namespace sluice

// One row of a parameter table.
#define SLUICE_PARAM(name, type, required, default_json, help) \
    sluice_param_def { name, type, required, default_json, help }

// Exports the bot class `Bot` as this plugin's one entry point. The trailing arguments are the
// parameter table rows (SLUICE_PARAM(...)); a bot without parameters passes none.
#define SLUICE_EXPORT_BOT(Bot, kind, name, version, description, ...)                                \
    namespace {                                                                                      \
    const sluice_param_def sluice_params_table_[] = {__VA_ARGS__ __VA_OPT__(, ) sluice_param_def{}}; \
    const sluice_bot_desc sluice_desc_ = {                                                           \
        sizeof(sluice_bot_desc),                                                                     \
        SLUICE_ABI_MAJOR,                                                                            \
        SLUICE_ABI_MINOR,                                                                            \
        kind,                                                                                        \
        name,                                                                                        \
        version,                                                                                     \
        description,                                                                                 \
        sluice_params_table_,                                                                        \
        sizeof(sluice_params_table_) / sizeof(sluice_params_table_[0]) - 1,                          \
        &::sluice::detail::create<Bot>,                                                              \
        ::sluice::detail::process_fn<Bot>(),                                                         \
        ::sluice::detail::collect_fn<Bot>(),                                                         \
        ::sluice::detail::flush_fn<Bot>(),                                                           \
        ::sluice::detail::on_durable_fn<Bot>(),                                                      \
        &::sluice::detail::destroy<Bot>,                                                             \
        ::sluice::detail::paths_of<Bot>(),                                                           \
    };                                                                                               \
    }                                                                                                \
    extern "C" SLUICE_BOT_EXPORT const sluice_bot_desc* sluice_bot_entry_v1(void) { return &sluice_desc_; }
