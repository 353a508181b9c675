// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The block list formats defences read directly, what each can hold, and how a list is written in
// each: plain IP, CIDR and domain lists (one entry a line), a DNS response policy zone, a Zeek
// intel file and an nftables script that replaces two sets' elements.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "indicator.hpp"

namespace sluice::output_blocklist {

enum class Format { ip, cidr, domain, rpz, zeek, nftables };

std::optional<Format> parse_format(std::string_view name);
// The event fields that feed a list of this format when `field` is not set.
std::vector<std::string> default_fields(Format f);
// The entry a list of format `f` keeps for `i` (a CIDR list writes an address as a /32 network),
// or nullopt with `why` when the format cannot hold it (a domain in an IP list).
std::optional<Indicator> entry_for(Format f, Indicator i, std::string& why);

struct Entry {
    Indicator indicator;
    int64_t last_seen = 0;  // Unix seconds, when an event last named it
    std::string source;     // feed.name of that event (Zeek's meta.source)
    std::string desc;       // its classification.type (Zeek's meta.desc)
};

struct RenderOptions {
    int64_t rpz_ttl = 300;
    uint32_t rpz_serial = 1;
    bool rpz_subdomains = true;
    std::string nft_table = "inet sluice";
    std::string nft_set = "blocklist";
};

// The whole file; `entries` sorted (Indicator's order).
std::string render(Format f, const std::vector<const Entry*>& entries, const RenderOptions& o);

}  // namespace sluice::output_blocklist
