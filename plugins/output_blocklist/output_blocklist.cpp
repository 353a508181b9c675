// SPDX-License-Identifier: AGPL-3.0-or-later
//
// output_blocklist: keeps a block list that a defence reads directly (a firewall's IP or CIDR list,
// a DNS server's response policy zone, Zeek's intel framework, an nftables set). Every event adds
// or refreshes the indicators in its `field`s; an entry not seen for `expire` seconds is dropped.
// The entries and their last sightings live in a state file beside the list, so a restart keeps
// them. In flush — before the host acknowledges the batch — the state is made durable and the list
// is rewritten by an atomic replace when its content changed, so a reader never sees half a file.
#include <sluice/bot.hpp>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "atomic_file.hpp"
#include "block_list.hpp"
#include "list_format.hpp"

namespace {

using namespace sluice::output_blocklist;
namespace fs = std::filesystem;

Format format_of(const sluice::Params& p) {
    const std::string name = p.string("format", "ip");
    if (auto f = parse_format(name)) return *f;
    throw sluice::FatalError("parameter 'format' = '" + name + "': use one of ip, cidr, domain, rpz, zeek, nftables");
}

fs::path file_of(const sluice::Params& p) {
    const std::string file = p.string("file");
    if (file.empty()) throw sluice::FatalError("parameter 'file' is empty: name the block list file to write");
    return file;
}

int64_t expire_of(const sluice::Params& p) {
    const int64_t expire = p.integer("expire", 604800);
    if (expire < 0) throw sluice::FatalError("parameter 'expire' must be 0 (never) or more seconds");
    return expire;
}

RenderOptions render_options(const sluice::Params& p) {
    RenderOptions o;
    o.rpz_ttl = p.integer("rpz_ttl", 300);
    if (o.rpz_ttl < 0) throw sluice::FatalError("parameter 'rpz_ttl' must be 0 or more seconds");
    o.rpz_subdomains = p.boolean("rpz_subdomains", true);
    o.nft_table = p.string("nft_table", "inet sluice");
    o.nft_set = p.string("nft_set", "blocklist");
    const auto words = [](const std::string& s) {
        return !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ ") ==
                                 std::string::npos;
    };
    if (!words(o.nft_table) || o.nft_table.find(' ') == std::string::npos)
        throw sluice::FatalError("parameter 'nft_table' = '" + o.nft_table +
                                 "': give the family and the name, e.g. \"inet filter\"");
    if (!words(o.nft_set) || o.nft_set.find(' ') != std::string::npos)
        throw sluice::FatalError("parameter 'nft_set' = '" + o.nft_set + "': letters, digits and _ only");
    return o;
}

std::string read_or_empty(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

class BlocklistOutput {
 public:
    BlocklistOutput(const sluice::Params& p, sluice::Context& ctx)
        : format_(format_of(p)),
          file_(file_of(p)),
          fields_(p.list("field")),
          render_(render_options(p)),
          list_(format_, fs::path(file_.string() + ".state.json"), expire_of(p)) {
        if (fields_.empty()) fields_ = default_fields(format_);
        try {
            if (const fs::path parent = file_.parent_path(); !parent.empty()) fs::create_directories(parent);
            list_.load();
            if (const size_t gone = list_.expire(std::time(nullptr)))
                ctx.info(std::to_string(gone) + " entries expired while the bot was stopped");
            if (list_.state_changed()) list_.save_state();
            list_.mark_written();
            // Whatever a previous run or another format left there, the list matches the state now.
            const std::string text = content();
            if (!fs::exists(file_) || read_or_empty(file_) != text) replace_file(file_, text);
        } catch (const std::exception& e) {
            throw sluice::FatalError("parameter 'file' = '" + file_.string() + "': " + e.what());
        }
    }

    sluice::Status process(sluice::Message& event, sluice::Context& ctx) {
        const int64_t now = std::time(nullptr);
        bool any = false;
        for (const auto& field : fields_) {
            const auto value = event.get(field);
            if (!value) continue;
            std::string why;
            auto indicator = parse_indicator(*value, why);
            if (indicator) indicator = entry_for(format_, std::move(*indicator), why);
            if (!indicator) throw sluice::RejectError("field '" + field + "' = '" + std::string(*value) + "': " + why);
            list_.see(*indicator, now, event.get("feed.name").value_or(""),
                      event.get("classification.type").value_or(""));
            any = true;
        }
        if (!any) {
            ctx.count("events_without_indicator");
            ctx.debug("event has none of the fields of the block list: nothing added");
        }
        return sluice::Status::ok;
    }

    sluice::Status flush(sluice::Context& ctx) {
        if (const size_t gone = list_.expire(std::time(nullptr))) {
            ctx.count("entries_expired", static_cast<int64_t>(gone));
        }
        const bool rewrite = list_.list_changed() || !fs::exists(file_);
        if (!list_.state_changed() && !rewrite) return sluice::Status::ok;
        // State first: it is what makes the batch's sightings durable; the list follows from it.
        if (list_.state_changed()) list_.save_state();
        if (rewrite) {
            replace_file(file_, content());
            ctx.count("list_rewrites");
        }
        list_.mark_written();
        return sluice::Status::ok;
    }

 private:
    std::string content() {
        render_.rpz_serial = list_.serial();
        return render(format_, list_.sorted(), render_);
    }

    Format format_;
    fs::path file_;
    std::vector<std::string> fields_;
    RenderOptions render_;
    BlockList list_;
};

}  // namespace

SLUICE_EXPORT_BOT(
    BlocklistOutput, SLUICE_KIND_OUTPUT, "output_blocklist", "1.0.0",
    "Keeps a deduplicated, expiring block list (IP, CIDR, domain, RPZ zone, Zeek intel, nftables set), "
    "rewritten atomically",
    SLUICE_PARAM("file", SLUICE_PARAM_STRING, 1, nullptr,
                 "The block list to write; its state is kept beside it in <file>.state.json"),
    SLUICE_PARAM("format", SLUICE_PARAM_STRING, 0, "\"ip\"", "One of ip, cidr, domain, rpz, zeek, nftables"),
    SLUICE_PARAM("field", SLUICE_PARAM_STRING_LIST, 0, nullptr,
                 "The event fields whose values are listed; default by format: source.ip (ip), "
                 "source.network and source.ip (cidr, nftables), source.fqdn (domain, rpz), all three (zeek)"),
    SLUICE_PARAM("expire", SLUICE_PARAM_INT, 0, "604800",
                 "Seconds after its last sighting an entry is dropped; 0 keeps entries for ever"),
    SLUICE_PARAM("rpz_ttl", SLUICE_PARAM_INT, 0, "300", "rpz: the zone's TTL and negative-caching time, seconds"),
    SLUICE_PARAM("rpz_subdomains", SLUICE_PARAM_BOOL, 0, "true",
                 "rpz: also block every name under a listed domain (*.domain)"),
    SLUICE_PARAM("nft_table", SLUICE_PARAM_STRING, 0, "\"inet sluice\"", "nftables: family and name of the table"),
    SLUICE_PARAM("nft_set", SLUICE_PARAM_STRING, 0, "\"blocklist\"",
                 "nftables: the sets are <nft_set>_v4 (IPv4) and <nft_set>_v6 (IPv6)"))
