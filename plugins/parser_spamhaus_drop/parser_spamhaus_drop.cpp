// SPDX-License-Identifier: AGPL-3.0-or-later
//
// parser_spamhaus_drop: IntelMQ's Spamhaus DROP parser (intelmq/bots/parsers/spamhaus/parser_drop.py)
// for the DROP, EDROP, DROPv6 and ASN-DROP text lists. Lines are Python's splitlines(), stripped;
// empty lines are skipped; lines starting with ';' are comments, and the "Last-Modified:" comment
// gives time.source of the events after it. Every other line is one event: classification.type
// spam, raw = the stripped line, and
//   network lists: source.network, extra.blocklist (the SBL id);
//   ASN-DROP:      source.asn, source.as_name, source.geolocation.cc (when given).
// The list is known by the report's feed.url; for another URL (or none) each line's shape decides.
// A line that cannot be parsed is handed to the host (fail_record) with the comment lines before
// it, so it parses the same again; the other lines go on.
#include <sluice/bot.hpp>
#include <sluice/parser_kit.hpp>
#include <sluice/quote.hpp>

#include <algorithm>
#include <optional>
#include <string>

#include "drop_format.hpp"
#include "http_date.hpp"

namespace {

using namespace sluice::spamhaus;

class SpamhausDropParser {
 public:
    SpamhausDropParser(const sluice::Params&, sluice::Context&) {}

    sluice::Status process(sluice::Message& report, sluice::Context& ctx) {
        const auto text = sluice::parser::report_text(report, ctx);
        if (!text) return sluice::Status::ok;
        const ListKind url_kind = kind_of_url(report.get("feed.url").value_or(""));
        std::string comments;  // IntelMQ's tempdata: the comment lines so far, for failed records
        std::optional<std::string> last_modified;
        sluice::parser::Records records(report, ctx);
        for (const auto& [raw_line, number] : sluice::parser::split_lines(*text)) {
            const std::string_view line = strip_space(raw_line);
            if (line.empty()) continue;
            const std::string where = "line " + std::to_string(number);
            if (line.starts_with(';')) {
                if (line.find("Last-Modified:") != std::string_view::npos) {
                    // IntelMQ: line.strip('; ')[15:], after "Last-Modified: "
                    const std::string_view stripped = strip_chars(line, "; ");
                    const std::string_view value = stripped.substr(std::min<size_t>(15, stripped.size()));
                    last_modified = http_date_to_iso(value);
                    if (!last_modified)
                        records.fail(comments + std::string(line), where + ": Last-Modified: cannot read the date '" +
                                                                       sluice::quote_prefix(value) + "'");
                }
                comments.append(line).append("\n");
                continue;
            }
            records.add(comments + std::string(line), where, [&](sluice::Message& event) {
                std::string problem;
                fill(event, line, url_kind == ListKind::unknown ? kind_of_line(line) : url_kind, last_modified,
                     problem);
                return problem;
            });
        }
        return sluice::Status::ok;
    }

 private:
    static void fill(sluice::Message& event, std::string_view line, ListKind kind,
                     const std::optional<std::string>& last_modified, std::string& problem) {
        if (last_modified) event.set("time.source", *last_modified);
        event.set("classification.type", "spam");
        event.set("raw", line);
        if (kind == ListKind::network) {
            NetworkLine n;
            if (!split_network_line(line, n, problem)) return;
            event.set("source.network", n.network);
            event.set("extra.blocklist", n.blocklist);
        } else {
            AsnLine a;
            if (!split_asn_line(line, a, problem)) return;
            event.set("source.asn", a.asn);
            event.set("source.as_name", a.as_name);
            if (!a.country.empty()) event.set("source.geolocation.cc", a.country);
        }
    }
};

}  // namespace

SLUICE_EXPORT_BOT(SpamhausDropParser, SLUICE_KIND_PARSER, "parser_spamhaus_drop", "1.0.0",
                  "IntelMQ's Spamhaus DROP/EDROP/DROPv6/ASN-DROP parser: one spam event per listed network or AS")
