// SPDX-License-Identifier: AGPL-3.0-or-later
// How every verb fails: it throws, and main prints the error once — as {"error":…,"exit":…} on
// stdout when the command line has --json (a script reads one format, whatever happened), else as
// "sluicectl <verb>: …" on stderr — and exits with the error's code:
//   1  the verb failed, or a bot is not in the state asked for;
//   2  the command line names nothing known (a verb, an option, a bot, a queue, an entry) or is
//      malformed.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace sluice::ctl {

class CliError : public std::runtime_error {
 public:
    CliError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
    int code() const { return code_; }

 private:
    int code_;
};

// A command line that names nothing known or is malformed (exit 2).
inline CliError usage_error(const std::string& what) { return CliError(what, 2); }

// "unknown bot 'x' (no [bots.x] in FILE)", the same words from every verb.
inline CliError unknown_bot(const std::string& bot, const std::filesystem::path& config) {
    return usage_error("unknown bot '" + bot + "' (no [bots." + bot + "] in " + config.string() + ")");
}

// Prints `what` as described above and returns `code`.
int report_error(const std::string& verb, const std::string& what, bool json, int code);

}  // namespace sluice::ctl
