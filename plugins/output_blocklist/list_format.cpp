// SPDX-License-Identifier: AGPL-3.0-or-later
#include "list_format.hpp"

#include <algorithm>
#include <stdexcept>

namespace sluice::output_blocklist {
namespace {

std::string zeek_field(std::string_view text) {
    if (text.empty()) return "-";  // Zeek's unset field
    std::string out(text);
    std::replace_if(
        out.begin(), out.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
    return out;
}

std::string plain(const std::vector<const Entry*>& entries) {
    std::string out;
    for (const Entry* e : entries) out += e->indicator.text + "\n";
    return out;
}

std::string rpz(const std::vector<const Entry*>& entries, const RenderOptions& o) {
    const std::string ttl = std::to_string(o.rpz_ttl);
    std::string out =
        "; DNS response policy zone written by Sluice output_blocklist. Serve it as a zone of type\n"
        "; response-policy: each name below (and its subdomains) answers NXDOMAIN (CNAME .).\n"
        "$TTL " +
        ttl +
        "\n"
        "@ IN SOA localhost. hostmaster.localhost. ( " +
        std::to_string(o.rpz_serial) + " 3600 600 604800 " + ttl +
        " )\n"
        "@ IN NS localhost.\n";
    for (const Entry* e : entries) {
        out += e->indicator.text + " CNAME .\n";
        if (o.rpz_subdomains) out += "*." + e->indicator.text + " CNAME .\n";
    }
    return out;
}

std::string zeek(const std::vector<const Entry*>& entries) {
    std::string out = "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\n";
    for (const Entry* e : entries) {
        const Indicator& i = e->indicator;
        const char* type = i.kind == Kind::domain    ? "Intel::DOMAIN"
                           : i.kind == Kind::address ? "Intel::ADDR"
                                                     : "Intel::SUBNET";
        out += i.text + "\t" + type + "\t" + zeek_field(e->source.empty() ? "sluice" : e->source) + "\t" +
               zeek_field(e->desc) + "\n";
    }
    return out;
}

// An interval set refuses overlapping elements, and CIDR blocks either nest or are disjoint:
// leaving out every entry inside another leaves no overlap.
std::vector<const Entry*> outermost(const std::vector<const Entry*>& sorted, bool v6) {
    std::vector<const Entry*> out;
    for (const Entry* e : sorted) {
        if (e->indicator.v6 != v6 || e->indicator.kind == Kind::domain) continue;
        // Sorted by address then prefix, so an enclosing network comes before what it holds.
        if (!out.empty() && e->indicator.inside(out.back()->indicator)) continue;
        out.push_back(e);
    }
    return out;
}

std::string nft_set(const std::string& name, bool v6, const std::vector<const Entry*>& elements) {
    std::string out = "\tset " + name + " {\n\t\ttype " + (v6 ? "ipv6_addr" : "ipv4_addr") + "\n\t\tflags interval\n";
    if (!elements.empty()) {  // nft refuses an empty `elements = { }`
        out += "\t\telements = {";
        for (size_t i = 0; i < elements.size(); ++i)
            out += std::string(i ? "," : "") + (i % 4 == 0 ? "\n\t\t\t" : " ") + elements[i]->indicator.text;
        out += "\n\t\t}\n";
    }
    return out + "\t}\n";
}

std::string nftables(const std::vector<const Entry*>& entries, const RenderOptions& o) {
    const std::string v4 = o.nft_set + "_v4", v6 = o.nft_set + "_v6";
    const std::string table = o.nft_table;
    // Declaring the sets first makes the flushes valid on a first load; `nft -f` applies the whole
    // file as one transaction, so the sets never show half of the list.
    return "# nftables sets written by Sluice output_blocklist. `nft -f` this file to replace both\n"
           "# sets' elements in one transaction.\n"
           "table " +
           table +
           " {\n"
           "\tset " +
           v4 +
           " { type ipv4_addr; flags interval; }\n"
           "\tset " +
           v6 +
           " { type ipv6_addr; flags interval; }\n"
           "}\n"
           "flush set " +
           table + " " + v4 +
           "\n"
           "flush set " +
           table + " " + v6 +
           "\n"
           "table " +
           table + " {\n" + nft_set(v4, false, outermost(entries, false)) +
           nft_set(v6, true, outermost(entries, true)) + "}\n";
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
    if (name == "ip") return Format::ip;
    if (name == "cidr") return Format::cidr;
    if (name == "domain") return Format::domain;
    if (name == "rpz") return Format::rpz;
    if (name == "zeek") return Format::zeek;
    if (name == "nftables") return Format::nftables;
    return std::nullopt;
}

std::vector<std::string> default_fields(Format f) {
    switch (f) {
        case Format::ip:
            return {"source.ip"};
        case Format::cidr:
        case Format::nftables:
            return {"source.network", "source.ip"};
        case Format::domain:
        case Format::rpz:
            return {"source.fqdn"};
        case Format::zeek:
            return {"source.ip", "source.network", "source.fqdn"};
    }
    return {};
}

std::optional<Indicator> entry_for(Format f, Indicator i, std::string& why) {
    const bool ip = i.kind != Kind::domain;
    // A /32 (/128) network is one address: the same entry as the address, for lists of addresses.
    if (i.kind == Kind::network && i.prefix == (i.v6 ? 128 : 32) && (f == Format::ip || f == Format::nftables)) {
        i.kind = Kind::address;
        i.text = i.text.substr(0, i.text.find('/'));
    }
    switch (f) {
        case Format::ip:
            if (i.kind == Kind::address) return i;
            why = "an IP list holds single addresses only (use format 'cidr' or 'nftables' for networks)";
            return std::nullopt;
        case Format::cidr:
            if (i.kind == Kind::address) return as_network(i);
            if (ip) return i;
            why = "a CIDR list holds addresses and networks only";
            return std::nullopt;
        case Format::nftables:
            if (ip) return i;
            why = "an nftables set holds addresses and networks only";
            return std::nullopt;
        case Format::domain:
        case Format::rpz:
            if (!ip) return i;
            why = "a domain list holds domain names only";
            return std::nullopt;
        case Format::zeek:
            return i;
    }
    return std::nullopt;
}

std::string render(Format f, const std::vector<const Entry*>& entries, const RenderOptions& o) {
    switch (f) {
        case Format::ip:
        case Format::cidr:
        case Format::domain:
            return plain(entries);
        case Format::rpz:
            return rpz(entries, o);
        case Format::zeek:
            return zeek(entries);
        case Format::nftables:
            return nftables(entries, o);
    }
    throw std::logic_error("unknown block list format");
}

}  // namespace sluice::output_blocklist
