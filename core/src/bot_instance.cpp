// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sluice/core/bot_instance.hpp"

#include <stdexcept>

sluice_msg* sluice_ctx::make(sluice::MessageType type) {
    std::unique_ptr<sluice_msg> m;
    if (spare_.empty()) {
        m = std::make_unique<sluice_msg>(sluice_msg{sluice::Message(type, *harmonization)});
    } else {
        m = std::move(spare_.back());
        spare_.pop_back();
        m->message.clear();
        m->message.set_type(type);
    }
    made_.push_back(std::move(m));
    return made_.back().get();
}

void sluice_ctx::discard(sluice_msg* msg) {
    // Usually the newest message: search from the back.
    for (auto it = made_.rbegin(); it != made_.rend(); ++it) {
        if (it->get() != msg) continue;
        if (spare_.size() < 64) spare_.push_back(std::move(*it));
        made_.erase(std::next(it).base());
        return;
    }
}

void sluice_ctx::release_all() {
    for (auto& m : made_)
        if (spare_.size() < 64) spare_.push_back(std::move(m));
    made_.clear();
}

namespace sluice {

BotInstance::BotInstance(std::shared_ptr<Plugin> plugin, std::string_view parameters_json,
                         std::shared_ptr<const Harmonization> harmonization, Logger& log, BotHooks hooks)
    : plugin_(std::move(plugin)), harmonization_(std::move(harmonization)), hooks_(std::move(hooks)) {
    std::vector<std::string> errors;
    params_ = validate_params(plugin_->desc(), parameters_json, errors);
    if (!errors.empty()) {
        std::string all;
        for (const auto& e : errors) all += (all.empty() ? "" : "\n") + plugin_->name() + ": " + e;
        throw std::runtime_error(all);
    }
    ctx_.harmonization = harmonization_.get();
    ctx_.hooks = &hooks_;
    ctx_.log = &log;
    const uint32_t status = plugin_->desc().create(&host_api(), &ctx_, &params_, &state_);
    ctx_.release_all();
    if (status != SLUICE_OK || !state_)
        throw std::runtime_error(plugin_->name() + ": refused to start: " +
                                 (ctx_.error.empty() ? "create failed without a reason" : ctx_.error));
}

BotInstance::~BotInstance() {
    if (state_) plugin_->desc().destroy(state_);
}

CallResult BotInstance::finish(uint32_t status) {
    CallResult r{status, {}};
    if (status != SLUICE_OK) r.error = ctx_.error.empty() ? "the bot returned an error without a reason" : ctx_.error;
    ctx_.error.clear();
    ctx_.release_all();  // messages made during the callback live until it returns (bot.h)
    return r;
}

CallResult BotInstance::process(sluice_msg& input) {
    ctx_.error.clear();
    return finish(plugin_->desc().process(state_, &ctx_, &input));
}

CallResult BotInstance::collect() {
    ctx_.error.clear();
    return finish(plugin_->desc().collect(state_, &ctx_));
}

CallResult BotInstance::flush() {
    if (!plugin_->desc().flush) return {};
    ctx_.error.clear();
    return finish(plugin_->desc().flush(state_, &ctx_));
}

bool BotInstance::wants_on_durable() const { return plugin_->desc().on_durable != nullptr; }

void BotInstance::on_durable() {
    if (plugin_->desc().on_durable) plugin_->desc().on_durable(state_, &ctx_);
    finish(SLUICE_OK);
}

}  // namespace sluice
