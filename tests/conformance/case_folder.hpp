// SPDX-License-Identifier: AGPL-3.0-or-later
// One IntelMQ conformance case folder (../shared/conformance/intelmq/<case>/, see its README.md),
// read into what the runner hands the bot harness and what it compares with.
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice::conformance {

struct CaseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Case {
    std::filesystem::path dir;
    std::string module;                           // module.txt, trimmed
    std::string parameters_json;                  // parameters.json, file parameters pointing into `dir`
    std::vector<std::string> dropped_parameters;  // IntelMQ's generic bot parameters, not the bot's own
    std::vector<std::string> paths;               // destination_queues.json, else {"_default"}
    std::vector<std::string> inputs;              // input.json: one message, or an array of them
    // Path -> expected messages (expected.jsonl is "_default", expected.<path>.jsonl a named path).
    // A path without an expected file is not asserted, as in IntelMQ's test.
    std::map<std::string, std::vector<std::string>> expected;
};

// Reads a case folder; throws CaseError naming the file and the problem.
Case load_case(const std::filesystem::path& dir);

}  // namespace sluice::conformance
