// SPDX-License-Identifier: AGPL-3.0-or-later
//
// conformance_runner <case-folder>: runs one IntelMQ conformance case (../shared/conformance/intelmq/,
// taken from IntelMQ's own bot tests) through the Sluice plugin that implements the case's module,
// in-process through the real host code (BotHarness), and compares what the bot sent on each path
// with the expected messages as IntelMQ's test harness does.
//
// Exit codes: 0 every path matches; 1 a mismatch (each differing field is printed); 2 the case or
// the bot could not be set up; 77 (kSkipped, ctest's SKIP_RETURN_CODE) the plugin is not built yet.
#include <sluice/bot.h>
#include <sluice/core/bot_harness.hpp>
#include <sluice/core/plugin.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "case_folder.hpp"
#include "message_compare.hpp"
#include "module_map.hpp"
#include "state_folder.hpp"

namespace {

using namespace sluice::conformance;

constexpr int kPassed = 0;
constexpr int kMismatch = 1;
constexpr int kError = 2;
constexpr int kSkipped = 77;

const char* status_name(uint32_t s) {
    switch (s) {
        case SLUICE_OK:
            return "ok";
        case SLUICE_RETRY:
            return "retry";
        case SLUICE_REJECT:
            return "reject";
        case SLUICE_FATAL:
            return "fatal";
        default:
            return "unknown";
    }
}

// Compares one path's sent messages with the expected ones; prints every difference.
size_t compare_path(const std::string& path, const std::vector<std::string>& expected,
                    const std::vector<std::string>& sent) {
    size_t problems = 0;
    const size_t n = std::max(expected.size(), sent.size());
    for (size_t i = 0; i < n; ++i) {
        const std::string where = "path '" + path + "', message " + std::to_string(i + 1);
        if (i >= sent.size()) {
            std::cout << where << ": missing (expected " << expected[i] << ")\n";
            ++problems;
            continue;
        }
        if (i >= expected.size()) {
            std::cout << where << ": unexpected message " << sent[i] << "\n";
            ++problems;
            continue;
        }
        rapidjson::Document want, got;
        std::string error;
        if (!comparable(expected[i], want, error)) {
            std::cout << where << ": expected file: " << error << "\n";
            ++problems;
            continue;
        }
        if (!comparable(sent[i], got, error)) {
            std::cout << where << ": sent message: " << error << "\n";
            ++problems;
            continue;
        }
        const auto diffs = differences(want, got);
        if (diffs.empty()) continue;
        ++problems;
        std::cout << where << " differs:\n";
        for (const auto& d : diffs) std::cout << "  " << describe(d) << "\n";
    }
    return problems;
}

int run(const std::filesystem::path& dir) {
    const Case c = load_case(dir);
    const std::string name = dir.filename().string();
    const auto plugin = plugin_for_module(c.module);
    if (!plugin) {
        std::cout << "SKIPPED: no Sluice plugin is mapped to IntelMQ module " << c.module << "\n";
        return kSkipped;
    }
    try {
        (void)sluice::find_plugin(std::string(*plugin), sluice::plugin_search_path());
    } catch (const sluice::PluginError&) {
        std::cout << "SKIPPED: plugin " << *plugin << " not built yet\n";
        return kSkipped;
    }
    std::cout << "case " << name << ": " << c.module << " -> " << *plugin << ", " << c.inputs.size()
              << " input message(s), paths:";
    for (const auto& p : c.paths) std::cout << " " << p;
    std::cout << "\n";
    for (const auto& p : c.dropped_parameters) std::cout << "note: IntelMQ runtime parameter '" << p << "' ignored\n";

    std::string parameters = c.parameters_json;
    const StateFolder state(c, *plugin, parameters);
    if (!state.note().empty()) std::cout << "note: " << state.note() << "\n";

    sluice::BotHarness harness(std::string(*plugin), parameters, c.paths);
    const sluice::HarnessResult result = harness.process(c.inputs);

    size_t problems = 0;
    // IntelMQ's harness expects every input to be acknowledged (error_max_retries 0: a failing
    // message would be dumped instead) and no line to be dumped.
    for (size_t i = 0; i < result.statuses.size(); ++i) {
        if (result.statuses[i] != SLUICE_OK) {
            std::cout << "input " << i + 1 << ": process returned " << status_name(result.statuses[i])
                      << ", IntelMQ acknowledges it\n";
            ++problems;
        }
    }
    for (const auto& f : result.failed) {
        std::cout << "failed: " << f.reason << "\n  record: " << f.record.substr(0, 300) << "\n";
        ++problems;
    }
    std::set<std::string> checked;
    for (const auto& [path, expected] : c.expected) {
        if (std::find(c.paths.begin(), c.paths.end(), path) == c.paths.end()) {
            std::cout << "expected." << path << ".jsonl: path '" << path << "' is not in destination_queues.json\n";
            ++problems;
            continue;
        }
        problems += compare_path(path, expected, result.on(path));
        checked.insert(path);
    }
    for (const auto& p : c.paths) {
        if (!checked.contains(p))
            std::cout << "note: path '" << p << "' has no expected file; " << result.on(p).size()
                      << " message(s) sent there, not asserted\n";
    }
    if (problems == 0) {
        std::cout << "PASSED: " << name << "\n";
        return kPassed;
    }
    std::cout << "FAILED: " << name << " (" << problems << " problem(s))\n";
    return kMismatch;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: conformance_runner <case-folder>\n"
                     "  runs one IntelMQ conformance case; exit 0 match, 1 mismatch, 2 error, 77 skipped\n";
        return kError;
    }
    try {
        return run(argv[1]);
    } catch (const std::exception& e) {
        std::cout << "ERROR: " << e.what() << "\n";
        return kError;
    }
}
