// SPDX-License-Identifier: AGPL-3.0-or-later
//
// output_restapi: IntelMQ's REST API output (intelmq/bots/outputs/restapi/output.py). POSTs each
// event as JSON to `host`, with the token as a header or as basic auth. With `batch`, the events
// of one host batch go together as one JSON array, posted in flush.
//
// Delivery: an event is acknowledged only after a 2xx answer. Anything else (or no answer after
// the shared client's retries) fails the event with a retryable error naming the status and the
// start of the answer's body, so the host delivers it again (error_max_retries, then the dump); in
// batch mode the flush fails and the host delivers the whole batch again.
#include <sluice/bot.hpp>

#include <string>
#include <vector>

#include "event_body.hpp"
#include "http_client.hpp"

namespace {

using sluice::bot_http::HttpClient;
using sluice::bot_http::HttpOptions;
using sluice::bot_http::HttpRequest;

HttpOptions read_options(const sluice::Params& p) {
    HttpOptions o = sluice::bot_http::http_options(p);
    const std::string type = p.string("auth_type");
    const std::string name = p.string("auth_token_name");
    const std::string token = p.string("auth_token");
    if (type.empty()) {
        if (!name.empty() || !token.empty())
            throw sluice::FatalError(
                "parameters 'auth_token_name'/'auth_token' are set but 'auth_type' is not: "
                "set it to http_header or http_basic_auth");
        return o;
    }
    if (name.empty() || token.empty())
        throw sluice::FatalError("parameter 'auth_type' = '" + type +
                                 "' needs both 'auth_token_name' and 'auth_token'");
    if (type == "http_header") {
        try {
            o.headers.push_back(sluice::bot_http::header_line(name, token));
        } catch (const std::invalid_argument& e) {
            throw sluice::FatalError("parameter 'auth_token_name' = '" + name + "': " + e.what());
        }
    } else if (type == "http_basic_auth") {
        o.username = name;
        o.password = token;
    } else {
        throw sluice::FatalError("parameter 'auth_type' = '" + type + "': expected http_header or http_basic_auth");
    }
    return o;
}

std::string read_url(const sluice::Params& p) {
    const std::string url = p.string("host");
    if (!url.starts_with("http://") && !url.starts_with("https://"))
        throw sluice::FatalError("parameter 'host' = '" + url + "': expected the http:// or https:// URL to POST to");
    return url;
}

class RestApiOutput {
 public:
    RestApiOutput(const sluice::Params& p, sluice::Context&)
        : url_(read_url(p)),
          client_(read_options(p)),
          hierarchical_(p.boolean("hierarchical_output")),
          use_json_(p.boolean("use_json", true)),
          batch_(p.boolean("batch")) {
        if (batch_ && !use_json_)
            throw sluice::FatalError("parameter 'batch' = true needs 'use_json' = true: a batch is a JSON array");
        if (hierarchical_ && !use_json_)
            throw sluice::FatalError(
                "parameter 'hierarchical_output' = true needs 'use_json' = true: "
                "a form has no nesting");
    }

    sluice::Status process(sluice::Message& event, sluice::Context& ctx) {
        if (batch_) {
            pending_.push_back(sluice::output_restapi::event_json(event, hierarchical_));
            return sluice::Status::ok;
        }
        if (use_json_) {
            post(sluice::output_restapi::event_json(event, hierarchical_), "application/json; charset=utf-8", ctx);
        } else {
            post(sluice::output_restapi::event_form(event), "application/x-www-form-urlencoded", ctx);
        }
        return sluice::Status::ok;
    }

    sluice::Status flush(sluice::Context& ctx) {
        if (pending_.empty()) return sluice::Status::ok;
        // Taken out before sending: when the POST fails the host delivers the batch again, and
        // the events come back through process.
        std::vector<std::string> batch = std::move(pending_);
        pending_.clear();
        std::string body = "[";
        for (size_t i = 0; i < batch.size(); ++i) {
            if (i) body += ',';
            body += batch[i];
        }
        body += ']';
        post(body, "application/json; charset=utf-8", ctx);
        ctx.debug("posted a batch of " + std::to_string(batch.size()) + " events");
        return sluice::Status::ok;
    }

 private:
    void post(std::string body, const std::string& content_type, sluice::Context& ctx) {
        HttpRequest request;
        request.method = "POST";
        request.url = url_;
        request.body = std::move(body);
        request.headers.push_back("Content-Type: " + content_type);
        request.accept_compressed = false;
        const auto response = client_.send(request, [&ctx] { return ctx.should_stop(); });
        if (!response.ok()) throw std::runtime_error(sluice::bot_http::describe_status(request, response));
        ctx.count("posted");
    }

    std::string url_;
    HttpClient client_;
    bool hierarchical_, use_json_, batch_;
    std::vector<std::string> pending_;
};

}  // namespace

SLUICE_EXPORT_BOT(
    RestApiOutput, SLUICE_KIND_OUTPUT, "output_restapi", "1.0.0",
    "IntelMQ's REST API output: POSTs each event (or each batch as a JSON array) to an HTTP endpoint",
    SLUICE_PARAM("host", SLUICE_PARAM_STRING, 1, nullptr, "The http:// or https:// URL to POST the events to"),
    SLUICE_PARAM("auth_type", SLUICE_PARAM_STRING, 0, nullptr,
                 "http_header: send 'auth_token_name: auth_token'; http_basic_auth: user auth_token_name, password "
                 "auth_token"),
    SLUICE_PARAM("auth_token_name", SLUICE_PARAM_STRING, 0, nullptr, "Header name, or basic auth user name"),
    SLUICE_PARAM("auth_token", SLUICE_PARAM_STRING, 0, nullptr, "Header value, or basic auth password"),
    SLUICE_PARAM("hierarchical_output", SLUICE_PARAM_BOOL, 0, "false",
                 "Nest dotted keys: {\"source\": {\"ip\": ...}} instead of {\"source.ip\": ...}"),
    SLUICE_PARAM("use_json", SLUICE_PARAM_BOOL, 0, "true",
                 "Send JSON; false: send the fields as an HTML form (application/x-www-form-urlencoded)"),
    SLUICE_PARAM("batch", SLUICE_PARAM_BOOL, 0, "false",
                 "POST the events of each host batch together as one JSON array (in flush) instead of one by one"),
    SLUICE_HTTP_HEADER_PARAM, SLUICE_HTTP_CONNECTION_PARAMS)
