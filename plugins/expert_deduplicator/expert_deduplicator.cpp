// SPDX-License-Identifier: AGPL-3.0-or-later
//
// expert_deduplicator: IntelMQ's deduplicator expert (intelmq/bots/experts/deduplicator/expert.py).
// An event whose hash (IntelMQ's Message.hash over the fields, filter_keys left out or the only ones
// used) was seen within the last redis_cache_ttl seconds is dropped (acknowledged, sent nowhere);
// any other event is sent on and its hash remembered. The hash is byte for byte IntelMQ's, computed
// by the host. The cache is embedded (hash_cache.hpp) instead of Redis and survives a restart.
#include <sluice/bot.hpp>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cache_record.hpp"
#include "hash_cache.hpp"

namespace {

using sluice::dedup::HashCache;

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

sluice::FilterType filter_type(const sluice::Params& params) {
    const std::string type = params.string("filter_type", "blacklist");
    if (type == "blacklist") return sluice::FilterType::blacklist;
    if (type == "whitelist") return sluice::FilterType::whitelist;
    throw sluice::FatalError("parameter 'filter_type' = '" + type + "': use \"blacklist\" or \"whitelist\"");
}

// IntelMQ: {k.strip() for k in filter_keys.split(',')}; a list is accepted too.
std::vector<std::string> filter_keys(const sluice::Params& params) {
    std::set<std::string> keys;
    for (const std::string& item : params.list("filter_keys")) {
        const auto b = item.find_first_not_of(" \t\r\n\f\v");
        const auto e = item.find_last_not_of(" \t\r\n\f\v");
        keys.insert(b == std::string::npos ? std::string() : item.substr(b, e - b + 1));
    }
    return {keys.begin(), keys.end()};
}

class Deduplicator {
 public:
    Deduplicator(const sluice::Params& params, sluice::Context& ctx)
        : bypass_(params.boolean("bypass", false)),
          filter_type_(filter_type(params)),
          filter_keys_(filter_keys(params)),
          ttl_ms_(params.integer("redis_cache_ttl", 86400) * 1000) {
        if (ttl_ms_ < 0) throw sluice::FatalError("parameter 'redis_cache_ttl' must not be negative");
        for (const char* p : {"redis_cache_host", "redis_cache_port", "redis_cache_db", "redis_cache_password"})
            if (params.get(p))
                ctx.info(std::string("parameter '") + p + "' ignored: the cache is embedded (cache_path), not Redis");
        if (bypass_) {
            ctx.info("bypass is set: every event is sent on, nothing is cached");
            return;
        }
        if (!sluice::host_has_msg_hash(ctx.api()))
            throw sluice::FatalError("this sluice-host does not provide msg_hash (IntelMQ's message hash); update it");
        // The host fills in the default; a relative path is relative to the host's working folder.
        cache_ = std::make_unique<HashCache>(params.string("cache_path"), now_ms());
        ctx.info("cache " + cache_->file().string() + ": " + std::to_string(cache_->size()) + " live hash(es)");
    }

    sluice::Status process(sluice::Message& event, sluice::Context& ctx) {
        if (bypass_) {
            ctx.emit(event);
            return sluice::Status::ok;
        }
        const std::string hash = event.hash(filter_keys_, filter_type_);
        const int64_t now = now_ms();
        if (cache_->contains(hash, now)) {
            ctx.debug("dropped duplicate " + hash);
            ctx.count("duplicates_dropped");
            return sluice::Status::ok;
        }
        cache_->insert(hash, ttl_ms_ == 0 ? sluice::dedup::kNeverExpires : now + ttl_ms_);
        ctx.emit(event);
        return sluice::Status::ok;
    }

    // The batch's events are durable downstream: only now may their hashes be stored (see the
    // README). A failure costs duplicates later, never an event, so it is a warning.
    void on_durable(sluice::Context& ctx) {
        if (!cache_) return;
        const int64_t now = now_ms();
        const bool sync = now - synced_at_ >= kSyncIntervalMs;
        try {
            cache_->flush(now, sync);
            if (sync) synced_at_ = now;
        } catch (const std::exception& e) {
            ctx.warning(std::string("the cache could not store this batch's hashes, they are forgotten: ") + e.what());
        }
        if (const std::string w = cache_->take_warning(); !w.empty()) ctx.warning(w);
    }

 private:
    bool bypass_;
    sluice::FilterType filter_type_;
    std::vector<std::string> filter_keys_;
    int64_t ttl_ms_;
    std::unique_ptr<HashCache> cache_;
    // The cache file is fdatasynced at most this often: what a host crash could lose is in the file
    // at once, only a machine crash can lose the last interval's hashes.
    static constexpr int64_t kSyncIntervalMs = 1000;
    int64_t synced_at_ = 0;
};

}  // namespace

SLUICE_EXPORT_BOT(
    Deduplicator, SLUICE_KIND_EXPERT, "expert_deduplicator", "1.0.0",
    "Drops events already seen within a time to live, by IntelMQ's message hash; the cache survives restarts",
    SLUICE_PARAM("filter_type", SLUICE_PARAM_STRING, 0, "\"blacklist\"",
                 "\"blacklist\": hash every field but filter_keys; \"whitelist\": hash only filter_keys"),
    SLUICE_PARAM("filter_keys", SLUICE_PARAM_STRING_LIST, 0, "\"raw,time.observation\"",
                 "Comma-separated field names for filter_type (time.observation is never hashed)"),
    SLUICE_PARAM("bypass", SLUICE_PARAM_BOOL, 0, "false", "Send every event on without looking at the cache"),
    SLUICE_PARAM("redis_cache_ttl", SLUICE_PARAM_INT, 0, "86400",
                 "Seconds a hash is remembered (0: for ever); IntelMQ's name, kept"),
    SLUICE_PARAM("cache_path", SLUICE_PARAM_STRING, 0, "\"var/cache/expert_deduplicator.cache\"",
                 "The cache file, relative to the host's working folder; one per deduplicator"),
    SLUICE_PARAM("redis_cache_host", SLUICE_PARAM_STRING, 0, nullptr, "Accepted for IntelMQ configurations; ignored"),
    SLUICE_PARAM("redis_cache_port", SLUICE_PARAM_INT, 0, nullptr, "Accepted for IntelMQ configurations; ignored"),
    SLUICE_PARAM("redis_cache_db", SLUICE_PARAM_INT, 0, nullptr, "Accepted for IntelMQ configurations; ignored"),
    SLUICE_PARAM("redis_cache_password", SLUICE_PARAM_STRING, 0, nullptr,
                 "Accepted for IntelMQ configurations; ignored"))
