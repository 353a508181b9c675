// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Runs one bot plugin in-process through the real host code (plugin loader, parameter validation,
// harmonization, host function table) without queues: messages go in as JSON, and what the bot
// sent, dumped or failed comes back. Plugin tests and the IntelMQ conformance runner use it, the
// way Fluent Bit's runtime tests drive the real engine.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sluice {

class HarnessBot;
class Harmonization;

struct HarnessResult {
    // Path name ("_default", "_on_error", or a named path) → messages sent there, as JSON lines in
    // IntelMQ's wire format, in order.
    std::map<std::string, std::vector<std::string>> sent;
    // Records given up: whole input messages the bot rejected, and single records it failed
    // (fail_record), each with its reason.
    struct Failure {
        std::string record;
        std::string reason;
    };
    std::vector<Failure> failed;
    // The status process()/collect() returned, one per call.
    std::vector<uint32_t> statuses;

    const std::vector<std::string>& on(const std::string& path) const;
};

class BotHarness {
 public:
    // `plugin` is a plugin name looked up in the plugin directories (build/plugins, SLUICE_PLUGIN_PATH)
    // or a path to a .so. `parameters_json` is a JSON object of the bot's parameters under their
    // documented names (IntelMQ's where IntelMQ has the bot). `paths` are the output paths the test
    // configures; emitting to another path fails as it would in a real pipeline.
    // Throws std::runtime_error with the loader's or the validator's message when refused.
    BotHarness(const std::string& plugin, const std::string& parameters_json,
               std::vector<std::string> paths = {"_default"});
    ~BotHarness();
    BotHarness(const BotHarness&) = delete;
    BotHarness& operator=(const BotHarness&) = delete;

    // Decodes each message (a JSON object with "__type") as the host decodes queue input, calls
    // process() once per message, then flush(), then on_durable() as the host does once what was
    // sent is durable; collects everything sent. `durable = false` leaves on_durable out, as when
    // the host dies before its output was durable.
    HarnessResult process(const std::vector<std::string>& messages_json, bool durable = true);
    // Calls collect() once, then flush() and on_durable().
    HarnessResult collect();

 private:
    std::unique_ptr<HarnessBot> bot_;
};

}  // namespace sluice
