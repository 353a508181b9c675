// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/bot_harness.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "sluice/core/bot_instance.hpp"
#include "sluice/core/defaults.hpp"

namespace sluice {
namespace {

struct HarnessState {
    Logger log{"harness", LogLevel::warning};
    std::vector<std::string> paths;
    HarnessResult* current = nullptr;
};

}  // namespace

const std::vector<std::string>& HarnessResult::on(const std::string& path) const {
    static const std::vector<std::string> none;
    auto it = sent.find(path);
    return it == sent.end() ? none : it->second;
}

// The harness's state lives beside the bot; both are owned by BotHarness through this holder.
class HarnessBot : public BotInstance {
 public:
    HarnessBot(std::shared_ptr<Plugin> plugin, std::string_view params, std::shared_ptr<const Harmonization> h,
               std::unique_ptr<HarnessState> state)
        : BotInstance(std::move(plugin), params, std::move(h), state->log, hooks_for(*state)),
          state_(std::move(state)) {}
    HarnessState& state() { return *state_; }

 private:
    static BotHooks hooks_for(HarnessState& s) {
        BotHooks hooks;
        hooks.emit = [&s](std::string_view path, const Message& m) {
            if (std::find(s.paths.begin(), s.paths.end(), path) == s.paths.end()) return false;
            s.current->sent[std::string(path)].push_back(m.json());
            return true;
        };
        hooks.fail_record = [&s](std::string_view record, std::string_view reason) {
            s.current->failed.push_back({std::string(record), std::string(reason)});
        };
        hooks.should_stop = [] { return false; };
        return hooks;
    }
    std::unique_ptr<HarnessState> state_;
};

BotHarness::BotHarness(const std::string& plugin, const std::string& parameters_json, std::vector<std::string> paths) {
    auto file = find_plugin(plugin, plugin_search_path());
    auto loaded = std::make_shared<Plugin>(file);
    auto h = std::make_shared<const Harmonization>(Harmonization::load(default_harmonization_file()));
    auto state = std::make_unique<HarnessState>();
    state->paths = std::move(paths);
    bot_ = std::make_unique<HarnessBot>(std::move(loaded), parameters_json, std::move(h), std::move(state));
}

BotHarness::~BotHarness() = default;

HarnessResult BotHarness::process(const std::vector<std::string>& messages_json, bool durable) {
    HarnessResult result;
    auto& bot = *bot_;
    bot.state().current = &result;
    sluice_msg input{Message(MessageType::event, bot.harmonization())};
    for (const auto& json : messages_json) {
        std::string why;
        // As the host does: an unchanged message passes on as the bytes it came in (json outlives it).
        if (!Message::decode(json, input.message, why, true)) {
            result.failed.push_back({json, "cannot decode: " + why});
            result.statuses.push_back(SLUICE_REJECT);
            continue;
        }
        CallResult r = bot.process(input);
        result.statuses.push_back(r.status);
        if (!r.ok()) result.failed.push_back({json, r.error});
    }
    if (CallResult r = bot.flush(); !r.ok()) result.failed.push_back({"", "flush: " + r.error});
    if (durable) bot.on_durable();
    bot.state().current = nullptr;
    return result;
}

HarnessResult BotHarness::collect() {
    HarnessResult result;
    auto& bot = *bot_;
    bot.state().current = &result;
    CallResult r = bot.collect();
    result.statuses.push_back(r.status);
    if (!r.ok()) result.failed.push_back({"", r.error});
    if (CallResult f = bot.flush(); !f.ok()) result.failed.push_back({"", "flush: " + f.error});
    bot.on_durable();
    bot.state().current = nullptr;
    return result;
}

}  // namespace sluice
