// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The cache's entries in memory: key → expiry. The keys are IntelMQ message hashes, 64 lowercase
// hex digits; those are held as their 32 bytes in one open-addressing table, so a lookup touches
// one slot and an insert allocates nothing. A node-based map of strings cost the deduplicator a
// fifth of its time at 150,000 events a second (three cache misses per lookup, two mallocs per
// insert). Any other key (none that Sluice writes) goes to an ordinary map beside the table.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sluice/huge_pages.hpp"

namespace sluice::dedup {

class KeyTable {
 public:
    // The expiry stored for `key`, or nullptr.
    const int64_t* find(std::string_view key) const {
        Digest d;
        if (!to_digest(key, d)) {
            const auto it = other_.find(std::string(key));
            return it == other_.end() ? nullptr : &it->second;
        }
        if (slots_.empty()) return nullptr;
        for (size_t i = home(d);; i = (i + 1) & mask()) {
            const Slot& s = slots_[i];
            if (s.expiry == kEmpty) return nullptr;
            if (s.expiry != kErased && same(s.digest, d)) return &s.expiry;
        }
    }

    void set(std::string_view key, int64_t expiry) {
        if (expiry <= kErased) expiry = kErased + 1;  // the markers are never values (both long expired)
        Digest d;
        if (!to_digest(key, d)) {
            other_[std::string(key)] = expiry;
            return;
        }
        // At most half full: most lookups are for new keys, and those probe until an empty slot.
        if ((filled_ + 1) * 2 > slots_.size()) rehash(live_ * 4 + 4);
        size_t reuse = slots_.size();  // the first erased slot on the way, if any
        size_t i = home(d);
        for (;; i = (i + 1) & mask()) {
            Slot& s = slots_[i];
            if (s.expiry == kEmpty) break;
            if (s.expiry == kErased) {
                if (reuse == slots_.size()) reuse = i;
            } else if (same(s.digest, d)) {
                s.expiry = expiry;
                return;
            }
        }
        if (reuse == slots_.size()) {
            reuse = i;
            ++filled_;
        }
        slots_[reuse] = Slot{d, expiry};
        ++live_;
    }

    void erase(std::string_view key) {
        Digest d;
        if (!to_digest(key, d)) {
            other_.erase(std::string(key));
            return;
        }
        if (slots_.empty()) return;
        for (size_t i = home(d);; i = (i + 1) & mask()) {
            Slot& s = slots_[i];
            if (s.expiry == kEmpty) return;
            if (s.expiry != kErased && same(s.digest, d)) {
                s.expiry = kErased;
                --live_;
                return;
            }
        }
    }

    // Erases every entry whose expiry `drop` says so.
    template <typename Drop>
    void erase_if(Drop drop) {
        for (Slot& s : slots_)
            if (s.expiry != kEmpty && s.expiry != kErased && drop(s.expiry)) {
                s.expiry = kErased;
                --live_;
            }
        std::erase_if(other_, [&](const auto& e) { return drop(e.second); });
    }

    // Calls `f(key, expiry)` for every entry.
    template <typename F>
    void for_each(F f) const {
        char hex[64];
        for (const Slot& s : slots_) {
            if (s.expiry == kEmpty || s.expiry == kErased) continue;
            for (size_t i = 0; i < 32; ++i) {
                hex[2 * i] = kHexDigits[s.digest[i] >> 4];
                hex[2 * i + 1] = kHexDigits[s.digest[i] & 0xf];
            }
            f(std::string_view(hex, 64), s.expiry);
        }
        for (const auto& [key, expiry] : other_) f(std::string_view(key), expiry);
    }

    size_t size() const { return live_ + other_.size(); }

 private:
    using Digest = std::array<uint8_t, 32>;
    struct Slot {
        Digest digest;
        int64_t expiry;
    };
    static constexpr int64_t kEmpty = std::numeric_limits<int64_t>::min();
    static constexpr int64_t kErased = kEmpty + 1;
    static constexpr char kHexDigits[] = "0123456789abcdef";

    // Hex digit → value, 0xff for anything else: one load per character instead of branches.
    static constexpr std::array<uint8_t, 256> kNibble = [] {
        std::array<uint8_t, 256> t{};
        t.fill(0xff);
        for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<uint8_t>(c - '0');
        for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<uint8_t>(c - 'a' + 10);
        return t;
    }();
    // Lowercase only: the key must come back from for_each exactly as it went in.
    static bool to_digest(std::string_view key, Digest& d) {
        if (key.size() != 64) return false;
        uint8_t bad = 0;
        for (size_t i = 0; i < 32; ++i) {
            const uint8_t hi = kNibble[static_cast<unsigned char>(key[2 * i])];
            const uint8_t lo = kNibble[static_cast<unsigned char>(key[2 * i + 1])];
            bad |= hi | lo;
            d[i] = static_cast<uint8_t>(hi << 4 | (lo & 0xf));
        }
        return (bad & 0xf0) == 0;
    }

    // The first eight bytes decide almost always, without a call to memcmp.
    static bool same(const Digest& a, const Digest& b) {
        uint64_t x = 0, y = 0;
        std::memcpy(&x, a.data(), sizeof x);
        std::memcpy(&y, b.data(), sizeof y);
        return x == y && a == b;
    }

    size_t mask() const { return slots_.size() - 1; }
    // A SHA-256 digest is uniform: its first bytes are as good an index as any hash of them.
    size_t home(const Digest& d) const {
        uint64_t h = 0;
        std::memcpy(&h, d.data(), sizeof h);
        return static_cast<size_t>(h) & mask();
    }

    void rehash(size_t at_least) {
        size_t capacity = 1024;
        while (capacity < at_least) capacity *= 2;
        std::vector<Slot, LargeAllocator<Slot>> old = std::move(slots_);
        slots_.assign(capacity, Slot{{}, kEmpty});
        filled_ = live_ = 0;
        for (const Slot& s : old) {
            if (s.expiry == kEmpty || s.expiry == kErased) continue;
            size_t i = home(s.digest);
            while (slots_[i].expiry != kEmpty) i = (i + 1) & mask();
            slots_[i] = s;
            ++filled_;
            ++live_;
        }
    }

    // A power of two in size, or empty. Huge pages: at 100,000 keys the table is 10 MB, and
    // faulting it in 4 KiB pages cost more than all the lookups.
    std::vector<Slot, LargeAllocator<Slot>> slots_;
    size_t live_ = 0;    // slots holding an entry
    size_t filled_ = 0;  // slots not empty (entries and erased ones): what the probes cross
    std::unordered_map<std::string, int64_t> other_;
};

}  // namespace sluice::dedup
