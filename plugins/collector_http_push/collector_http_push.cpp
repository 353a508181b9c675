// SPDX-License-Identifier: AGPL-3.0-or-later
//
// collector_http_push: an HTTP endpoint other systems POST reports to, the "submit via REST" entry
// point (IntelMQ has no such collector; its intelmq-api submits through the manager instead).
// Each POST to `path` carrying the token becomes one Report: raw = the body, feed.* from the
// parameters, feed.* and extra.* from the query string.
//
// The no-loss promise: the sender's 202 Accepted is written in on_durable, after the host made the
// round's reports durable downstream. A round the host does not confirm (a failure, a stop) ends
// with the connections closed and no answer, so senders send again: at least once, as everywhere.
#include <sluice/bot.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "push_server.hpp"
#include "push_token.hpp"
#include "query_fields.hpp"

namespace {

using namespace sluice::collector_http_push;

// Below this a token is easy to guess; the bot runs but says so.
constexpr size_t kShortToken = 16;
// How long on_durable lets the 202s go out before returning to the host; what is left goes out
// in the next round.
constexpr std::chrono::milliseconds kAnswerTime{50};

ServerOptions server_options(const sluice::Params& p) {
    ServerOptions o;
    const int64_t port = p.integer("port");
    if (port < 1 || port > 65535)
        throw sluice::FatalError("parameter 'port' = " + std::to_string(port) + ": not a port");
    o.ip = p.string("ip", "127.0.0.1");
    o.port = static_cast<int>(port);
    o.path = p.string("path", "/submit");
    if (o.path.empty() || o.path.front() != '/' || o.path.find_first_of("?# ") != std::string::npos)
        throw sluice::FatalError("parameter 'path' = '" + o.path +
                                 "': must start with '/' and hold no '?', '#' or space");
    if (o.path == "/health") throw sluice::FatalError("parameter 'path' = '/health': that path answers health checks");
    const int64_t max_body = p.integer("max_body_bytes", 10 << 20);
    if (max_body < 1)
        throw sluice::FatalError("parameter 'max_body_bytes' = " + std::to_string(max_body) + ": must be positive");
    o.max_body_bytes = static_cast<size_t>(max_body);
    const double timeout = p.number("timeout", 30.0);
    if (!(timeout > 0)) throw sluice::FatalError("parameter 'timeout' must be positive");
    o.timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout * 1000));
    const double header_timeout = p.number("header_timeout", 5.0);
    if (!(header_timeout > 0)) throw sluice::FatalError("parameter 'header_timeout' must be positive");
    o.header_timeout = std::chrono::milliseconds(static_cast<int64_t>(header_timeout * 1000));
    const int64_t per_client = p.integer("max_connections_per_client", 16);
    if (per_client < 1)
        throw sluice::FatalError("parameter 'max_connections_per_client' = " + std::to_string(per_client) +
                                 ": must be at least 1");
    o.max_connections_per_client = static_cast<size_t>(per_client);
    try {
        o.token = load_token(p.get("token"), p.get("token_file"), p.get("token_env"));
    } catch (const TokenError& e) {
        throw sluice::FatalError(e.what());
    }
    return o;
}

class HttpPushCollector {
 public:
    HttpPushCollector(const sluice::Params& p, sluice::Context& ctx) : HttpPushCollector(p, ctx, server_options(p)) {}

    sluice::Status collect(sluice::Context& ctx) {
        // Reports of a round the host did not confirm: their senders get no answer and send again.
        pending_.clear();
        std::vector<Submission> received = server_.receive(wait_, max_per_round_, [&] { return ctx.should_stop(); });
        for (Submission& s : received) take(s, ctx);
        server_.send_answers(kAnswerTime);  // the 400s of refused reports, if any
        log_notices(ctx);
        return sluice::Status::ok;
    }

    // Everything taken in the round is durable downstream (or dumped): now the senders may forget it.
    void on_durable(sluice::Context& ctx) {
        for (const Submission& s : pending_)
            server_.answer(s, 202, R"({"status":"accepted","bytes":)" + std::to_string(s.body.size()) + "}");
        ctx.count("requests_accepted", static_cast<int64_t>(pending_.size()));
        pending_.clear();
        server_.send_answers(kAnswerTime);
        log_notices(ctx);
    }

 private:
    HttpPushCollector(const sluice::Params& p, sluice::Context& ctx, ServerOptions options)
        : server_(open_server(options)),
          wait_(static_cast<int64_t>(p.number("wait", 1.0) * 1000)),
          max_per_round_(static_cast<size_t>(std::max<int64_t>(p.integer("max_requests_per_collect", 1000), 0))),
          name_(p.string("name")),
          provider_(p.string("provider")),
          accuracy_(p.string("accuracy", "100")),
          code_(p.string("code")),
          documentation_(p.string("documentation")) {
        if (p.integer("max_requests_per_collect", 1000) < 1)
            throw sluice::FatalError("parameter 'max_requests_per_collect' must be at least 1");
        if (wait_.count() < 0) throw sluice::FatalError("parameter 'wait' must not be negative");
        if (const double a = p.number("accuracy", 100); a < 0 || a > 100)
            throw sluice::FatalError("parameter 'accuracy' = " + accuracy_ + ": must be between 0 and 100");
        const char* source = p.get("token_file") ? "token_file" : p.get("token_env") ? "token_env" : "token";
        ctx.info("accepting reports POSTed to " + server_.url() + " (token from parameter '" + source + "')");
        if (options.token.size() < kShortToken)
            ctx.warning("the token has fewer than 16 characters; use a long random one (openssl rand -hex 32)");
    }

    static PushServer open_server(const ServerOptions& options) {
        try {
            return PushServer(options);
        } catch (const std::exception& e) {
            throw sluice::FatalError(std::string("parameters 'ip' and 'port': ") + e.what());
        }
    }

    void take(Submission& s, sluice::Context& ctx) {
        sluice::Message report = ctx.new_report();
        try {
            if (!name_.empty()) report.set("feed.name", name_);
            if (!provider_.empty()) report.set("feed.provider", provider_);
            if (!code_.empty()) report.set("feed.code", code_);
            if (!documentation_.empty()) report.set("feed.documentation", documentation_);
            if (!accuracy_.empty()) report.set("feed.accuracy", accuracy_);
            for (const auto& [key, value] : report_fields_of(s.query)) report.set(key, value, sluice::overwrite);
            report.set("raw", s.body);
        } catch (const QueryError& e) {
            refuse(s, e.what(), report, ctx);
            return;
        } catch (const sluice::FieldError& e) {
            refuse(s, e.what(), report, ctx);
            return;
        }
        ctx.emit(report);
        ctx.discard(report);
        ctx.count("reports_sent");
        pending_.push_back(std::move(s));
    }

    // Nothing was stored, so the sender may hear at once why.
    void refuse(Submission& s, const std::string& why, sluice::Message& report, sluice::Context& ctx) {
        ctx.discard(report);
        ctx.warning("refused a report from " + s.peer + ": " + why);
        ctx.count("requests_refused");
        server_.answer(s, 400, error_json(why));
    }

    void log_notices(sluice::Context& ctx) {
        for (const Notice& n : server_.take_notices()) {
            if (n.warning)
                ctx.warning(n.text);
            else
                ctx.debug(n.text);
            if (!n.counter.empty()) ctx.count(n.counter);
        }
    }

    PushServer server_;
    std::chrono::milliseconds wait_;
    size_t max_per_round_;
    std::string name_, provider_, accuracy_, code_, documentation_;
    // Declared after server_, so that these connections close before the server goes.
    std::vector<Submission> pending_;  // emitted this round, answered in on_durable
};

}  // namespace

SLUICE_EXPORT_BOT(
    HttpPushCollector, SLUICE_KIND_COLLECTOR, "collector_http_push", "1.0.0",
    "An HTTP endpoint other systems POST reports to (token required); answers 202 once the report is stored",
    SLUICE_PARAM("ip", SLUICE_PARAM_STRING, 0, "\"127.0.0.1\"", "Address to listen on (0.0.0.0 or :: for all)"),
    SLUICE_PARAM("port", SLUICE_PARAM_INT, 1, nullptr, "Port to listen on"),
    SLUICE_PARAM("path", SLUICE_PARAM_STRING, 0, "\"/submit\"", "The path reports are POSTed to"),
    SLUICE_PARAM("token", SLUICE_PARAM_STRING, 0, nullptr,
                 "The token senders present (Authorization: Bearer or X-Sluice-Token); set this, token_file or "
                 "token_env"),
    SLUICE_PARAM("token_file", SLUICE_PARAM_STRING, 0, nullptr, "A file holding the token (its line break is dropped)"),
    SLUICE_PARAM("token_env", SLUICE_PARAM_STRING, 0, nullptr, "An environment variable holding the token"),
    SLUICE_PARAM("max_body_bytes", SLUICE_PARAM_INT, 0, "10485760", "Largest body accepted; a larger one gets 413"),
    SLUICE_PARAM("max_requests_per_collect", SLUICE_PARAM_INT, 0, "1000",
                 "Reports taken in one collect round; more wait for the next round"),
    SLUICE_PARAM("timeout", SLUICE_PARAM_FLOAT, 0, "30.0",
                 "Seconds a sender may take to send one request, and a kept-alive connection may stay idle"),
    SLUICE_PARAM("header_timeout", SLUICE_PARAM_FLOAT, 0, "5.0",
                 "Seconds a connection may take to send its headers until it has shown the token once"),
    SLUICE_PARAM("max_connections_per_client", SLUICE_PARAM_INT, 0, "16",
                 "Open connections one client address may hold; more are answered 429 and closed"),
    SLUICE_PARAM("wait", SLUICE_PARAM_FLOAT, 0, "1.0", "Seconds one collect round waits for the first report"),
    SLUICE_PARAM("name", SLUICE_PARAM_STRING, 0, nullptr, "feed.name of the reports"),
    SLUICE_PARAM("provider", SLUICE_PARAM_STRING, 0, nullptr, "feed.provider of the reports"),
    SLUICE_PARAM("accuracy", SLUICE_PARAM_FLOAT, 0, "100", "feed.accuracy of the reports, 0 to 100"),
    SLUICE_PARAM("code", SLUICE_PARAM_STRING, 0, nullptr, "feed.code of the reports"),
    SLUICE_PARAM("documentation", SLUICE_PARAM_STRING, 0, nullptr, "feed.documentation of the reports"))
