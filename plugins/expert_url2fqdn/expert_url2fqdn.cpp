// SPDX-License-Identifier: AGPL-3.0-or-later
//
// expert_url2fqdn: IntelMQ's URL2FQDN expert (intelmq/bots/experts/url2fqdn/expert.py). For source.
// and destination.: the host of `*.url` goes to `*.fqdn`, or to `*.ip` when the harmonization
// refuses it as an FQDN (an IP literal; IPv6 brackets stripped). An existing `*.fqdn` is kept
// unless `overwrite` is true.
#include <sluice/bot.hpp>

#include <string>

#include "url_hostname.hpp"

namespace {

class Url2FqdnExpert {
 public:
    Url2FqdnExpert(const sluice::Params& params, sluice::Context& ctx) : overwrite_(params.boolean("overwrite")) {
        // IntelMQ 3.x deprecates this bot in favour of its URL expert; say so, as IntelMQ does.
        ctx.warning("IntelMQ deprecates this bot (removed in IntelMQ 4.0) in favour of the URL expert");
    }

    sluice::Status process(sluice::Message& event, sluice::Context& ctx) {
        for (const std::string_view prefix : {"source.", "destination."}) {
            const std::string prefix_text(prefix);
            const auto url = event.get(prefix_text + "url");
            if (!url) continue;
            const std::string fqdn_key = prefix_text + "fqdn";
            if (!overwrite_ && event.has(fqdn_key)) continue;
            const std::string host = sluice::url2fqdn::url_hostname(*url);
            if (host.empty()) continue;
            const uint32_t flags = overwrite_ ? sluice::overwrite : sluice::none;
            // Results are not errors: IntelMQ adds both with raise_failure=False.
            if (event.try_set(fqdn_key, host, flags) != SLUICE_FIELD_OK) event.try_set(prefix_text + "ip", host, flags);
        }
        ctx.emit(event);
        return sluice::Status::ok;
    }

 private:
    bool overwrite_;
};

}  // namespace

SLUICE_EXPORT_BOT(Url2FqdnExpert, SLUICE_KIND_EXPERT, "expert_url2fqdn", "1.0.0",
                  "Sets source/destination.fqdn (or .ip) from the host of source/destination.url",
                  SLUICE_PARAM("overwrite", SLUICE_PARAM_BOOL, 0, "false",
                               "Replace an existing *.fqdn (and *.ip) instead of keeping it"))
