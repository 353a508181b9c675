// SPDX-License-Identifier: AGPL-3.0-or-later
//
// expert_sieve: IntelMQ's sieve expert (intelmq/bots/experts/sieve/expert.py). A rule file in
// IntelMQ's sieve language (see README.md) filters and changes events:
//
//   if classification.type :in ['phishing', 'malware-distribution'] && source.fqdn =~ '\.ch$' {
//       add! comment = 'domainabuse'
//       keep
//   } elif :notexists source.abuse_contact {
//       drop
//   }
//
// The file is read and checked once, at start: a mistake stops the bot with the file, line and
// column. Each event then runs through the rules; `drop` discards it, otherwise it goes to the
// paths the last `path` action named (default _default).
#include <sluice/bot.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "evaluator.hpp"
#include "parser.hpp"

namespace {

using namespace sluice::sieve;

std::string read_rules(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw sluice::FatalError("parameter 'file': cannot read '" + file + "': " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Program load(const sluice::Params& params, sluice::Context& ctx) {
    const std::string file = params.string("file");
    if (file.empty()) throw sluice::FatalError("parameter 'file': the sieve rule file is required");
    try {
        Program prog = parse_rules(read_rules(file), file);
        for (const auto& w : prog.warnings) ctx.warning(w);
        ctx.info("loaded " + std::to_string(prog.statements.size()) + " statement(s) from " + file);
        return prog;
    } catch (const ParseError& e) {
        throw sluice::FatalError(e.what());
    }
}

class SieveExpert {
 public:
    // The sieve file's `path` actions name them.
    static constexpr const char* kPaths[] = {"*", nullptr};

    SieveExpert(const sluice::Params& params, sluice::Context& ctx)
        : program_(load(params, ctx)), fields_(std::make_unique<EventFields>()) {}

    sluice::Status process(sluice::Message& event, sluice::Context& ctx) {
        const Outcome out = evaluate(program_, event, ctx, *fields_);
        if (out.drop) return sluice::Status::ok;
        if (out.paths.empty()) ctx.emit(event);
        for (const auto& path : out.paths) ctx.emit(event, path == "_default" ? std::string_view{} : path);
        return sluice::Status::ok;
    }

 private:
    Program program_;
    std::unique_ptr<EventFields> fields_;  // kept so that decoding each event's JSON reuses memory
};

}  // namespace

SLUICE_EXPORT_BOT(SieveExpert, SLUICE_KIND_EXPERT, "expert_sieve", "1.0.0",
                  "Filters and changes events with rules in IntelMQ's sieve language; sends them to named paths",
                  SLUICE_PARAM("file", SLUICE_PARAM_STRING, 1, nullptr,
                               "The sieve rule file; a mistake in it stops the bot at start with its line and column"))
