// SPDX-License-Identifier: AGPL-3.0-or-later
//
// expert_field_reducer: IntelMQ's field reducer (intelmq/bots/experts/field_reducer/expert.py).
//   type "whitelist": the event keeps only the listed keys (the others are removed);
//   type "blacklist": the listed keys are removed.
// Keys match exactly ("extra" does not match "extra.tag"), as in IntelMQ.
#include <sluice/bot.hpp>

#include <set>
#include <string>
#include <vector>

namespace {

class FieldReducer {
 public:
    FieldReducer(const sluice::Params& params, sluice::Context&) {
        const std::string type = params.string("type");
        if (type != "whitelist" && type != "blacklist")
            throw sluice::FatalError("parameter 'type' = '" + type + "': must be \"whitelist\" or \"blacklist\"");
        whitelist_ = type == "whitelist";
        for (const auto& key : params.list("keys")) keys_.insert(key);
    }

    sluice::Status process(sluice::Message& event, sluice::Context& ctx) {
        remove_.clear();
        event.for_each([&](std::string_view key, std::string_view) {
            if (keys_.contains(key) != whitelist_) remove_.emplace_back(key);
        });
        for (const auto& key : remove_) event.remove(key);
        ctx.emit(event);
        return sluice::Status::ok;
    }

 private:
    bool whitelist_ = true;
    std::set<std::string, std::less<>> keys_;
    std::vector<std::string> remove_;  // reused between messages
};

}  // namespace

SLUICE_EXPORT_BOT(FieldReducer, SLUICE_KIND_EXPERT, "expert_field_reducer", "1.0.0",
                  "Removes fields from events: keeps only a whitelist or drops a blacklist",
                  SLUICE_PARAM("type", SLUICE_PARAM_STRING, 1, nullptr,
                               "\"whitelist\": keep only the listed keys; \"blacklist\": remove the listed keys"),
                  SLUICE_PARAM("keys", SLUICE_PARAM_STRING_LIST, 1, nullptr,
                               "The keys, as a list or one comma-separated string"))
