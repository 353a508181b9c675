// SPDX-License-Identifier: AGPL-3.0-or-later
//
// One created bot: its plugin, its state and the host function table it was handed. The host loop
// and the in-process harness both drive bots through this class, so tests exercise the same code
// that runs in production.
#pragma once

#include <sluice/bot.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/core/harmonization.hpp"
#include "sluice/core/log.hpp"
#include "sluice/core/message.hpp"
#include "sluice/core/params.hpp"
#include "sluice/core/plugin.hpp"

namespace sluice {

// What the host does with what a bot hands it.
struct BotHooks {
    // Sends a message to a path; false when the path is not configured.
    std::function<bool(std::string_view path, const Message& msg)> emit;
    // One record of the current input was given up (a bad line).
    std::function<void(std::string_view record, std::string_view reason)> fail_record;
    std::function<void(std::string_view name, int64_t delta)> counter;
    std::function<bool()> should_stop;
};

struct CallResult {
    uint32_t status = SLUICE_OK;
    std::string error;  // set_error's text for a non-OK status
    bool ok() const { return status == SLUICE_OK; }
};

}  // namespace sluice

// The opaque handles of bot.h, defined by the host.
struct sluice_msg {
    sluice::Message message;
};

struct sluice_ctx {
    const sluice::Harmonization* harmonization = nullptr;
    sluice::BotHooks* hooks = nullptr;
    sluice::Logger* log = nullptr;
    std::string error;        // set_error's text for the current callback
    std::string field_error;  // why the last field_set refused its value
    std::string json;         // msg_json's buffer
    bool stop_requested = false;

    // Messages made by new_event/new_report live until discarded or until the callback returns;
    // their memory is recycled, so a parser emitting many events does not allocate one each.
    sluice_msg* make(sluice::MessageType type);
    void discard(sluice_msg* msg);
    void release_all();

 private:
    std::vector<std::unique_ptr<sluice_msg>> made_;
    std::vector<std::unique_ptr<sluice_msg>> spare_;
};

namespace sluice {

const sluice_host_api& host_api();

class BotInstance {
 public:
    // Validates `parameters_json` against the plugin's table and calls create. Throws
    // std::runtime_error with every problem (one per line) or the bot's own reason.
    BotInstance(std::shared_ptr<Plugin> plugin, std::string_view parameters_json,
                std::shared_ptr<const Harmonization> harmonization, Logger& log, BotHooks hooks);
    ~BotInstance();
    BotInstance(const BotInstance&) = delete;
    BotInstance& operator=(const BotInstance&) = delete;

    uint32_t kind() const { return plugin_->desc().kind; }
    const Plugin& plugin() const { return *plugin_; }
    const Harmonization& harmonization() const { return *harmonization_; }

    // `input.message` holds the decoded input; the bot may change it and emit it.
    CallResult process(sluice_msg& input);
    CallResult collect();
    CallResult flush();
    void on_durable();
    // Whether the bot has an on_durable at all: the host then makes sure it comes regularly.
    bool wants_on_durable() const;

 private:
    CallResult finish(uint32_t status);

    std::shared_ptr<Plugin> plugin_;
    std::shared_ptr<const Harmonization> harmonization_;
    BotHooks hooks_;
    sluice_params params_;
    sluice_ctx ctx_;
    void* state_ = nullptr;
};

}  // namespace sluice
