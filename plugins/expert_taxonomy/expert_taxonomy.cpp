// SPDX-License-Identifier: AGPL-3.0-or-later
//
// expert_taxonomy: fills classification.taxonomy (and classification.type when missing) the way
// IntelMQ's taxonomy expert does:
//   type set, taxonomy missing  -> taxonomy from the map ("other" for an unmapped type)
//   neither set                 -> type "undetermined", taxonomy "other"
//   taxonomy set, type missing  -> type "undetermined"
//   both set                    -> unchanged
#include <sluice/bot.hpp>

#include "taxonomy_map.hpp"

namespace {

constexpr std::string_view kType = "classification.type";
constexpr std::string_view kTaxonomy = "classification.taxonomy";

class TaxonomyExpert {
 public:
    TaxonomyExpert(const sluice::Params&, sluice::Context&) {}

    sluice::Status process(sluice::Message& event, sluice::Context& ctx) {
        const auto type = event.get(kType);
        const bool has_taxonomy = event.has(kTaxonomy);
        if (type && !has_taxonomy) {
            event.set(kTaxonomy, sluice::taxonomy::taxonomy_of(*type).value_or("other"));
        } else if (!type && !has_taxonomy) {
            event.set(kTaxonomy, "other");
            event.set(kType, "undetermined");
        } else if (!type) {
            event.set(kType, "undetermined");
        }
        ctx.emit(event);
        return sluice::Status::ok;
    }
};

}  // namespace

SLUICE_EXPORT_BOT(TaxonomyExpert, SLUICE_KIND_EXPERT, "expert_taxonomy", "1.0.0",
                  "Sets classification.taxonomy from classification.type with IntelMQ's map")
