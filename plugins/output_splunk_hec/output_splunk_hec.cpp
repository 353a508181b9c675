// SPDX-License-Identifier: AGPL-3.0-or-later
//
// output_splunk_hec: sends events to Splunk's HTTP Event Collector (POST /services/collector/event,
// "Authorization: Splunk <token>"). process() only formats; flush() posts the host batch, several
// events per request body (HEC takes concatenated JSON event objects), at most
// max_events_per_request per request. IntelMQ has no Splunk output; the parameters follow HEC's
// own names (index, sourcetype, source, host).
//
// Delivery: a batch counts as delivered when every request got HEC's {"text":"Success","code":0}.
// A 400 naming an invalid event ("invalid-event-number") gives that one event up (fail_record, so
// it is dumped with HEC's reason) and posts the others again — events before it may already be
// indexed, so they can appear twice (at least once). Any other failure (bad token, 5xx after the
// client's retries, no answer) fails the flush and the host delivers the batch again.
#include <sluice/bot.hpp>

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "hec_event.hpp"
#include "http_client.hpp"

namespace {

using namespace sluice::output_splunk_hec;
using sluice::bot_http::HttpClient;
using sluice::bot_http::HttpRequest;

struct Pending {
    std::string hec_json;
    std::string event_json;  // the wire format, for the dump
};

std::string read_url(const sluice::Params& p) {
    const std::string url = p.string("hec_url");
    if (!url.starts_with("http://") && !url.starts_with("https://"))
        throw sluice::FatalError(
            "parameter 'hec_url' = '" + url +
            "': expected the collector's URL, e.g. https://splunk.example:8088/services/collector/event");
    return url;
}

std::string read_token(const sluice::Params& p) {
    const std::string token = p.string("hec_token");
    if (token.empty() || token.find_first_of("\r\n ") != std::string::npos)
        throw sluice::FatalError("parameter 'hec_token' is empty or holds spaces or line breaks: give the HEC token");
    return token;
}

HecMetadata read_metadata(const sluice::Params& p) {
    HecMetadata m;
    m.host = p.string("host");
    m.source = p.string("source");
    m.sourcetype = p.string("sourcetype");
    m.index = p.string("index");
    m.hierarchical = p.boolean("hierarchical_output");
    return m;
}

class SplunkHecOutput {
 public:
    SplunkHecOutput(const sluice::Params& p, sluice::Context&)
        : url_(read_url(p)),
          auth_("Authorization: Splunk " + read_token(p)),
          meta_(read_metadata(p)),
          max_per_request_(p.integer("max_events_per_request", 500)),
          client_(sluice::bot_http::http_options(p)) {
        if (max_per_request_ < 1)
            throw sluice::FatalError("parameter 'max_events_per_request' = " + std::to_string(max_per_request_) +
                                     ": expected at least 1");
    }

    sluice::Status process(sluice::Message& event, sluice::Context&) {
        pending_.push_back(Pending{hec_event(event, meta_), std::string(event.json())});
        return sluice::Status::ok;
    }

    sluice::Status flush(sluice::Context& ctx) {
        // Taken out first: if the flush fails, the host delivers the batch again through process.
        std::vector<Pending> batch = std::move(pending_);
        pending_.clear();
        const size_t step = static_cast<size_t>(max_per_request_);
        for (size_t start = 0; start < batch.size(); start += step) {
            std::vector<Pending> part(std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(start)),
                                      std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                                                  batch.size(), start + step))));
            post(std::move(part), ctx);
        }
        return sluice::Status::ok;
    }

 private:
    void post(std::vector<Pending> events, sluice::Context& ctx) {
        while (!events.empty()) {
            HttpRequest request;
            request.method = "POST";
            request.url = url_;
            request.headers = {auth_, "Content-Type: application/json"};
            request.accept_compressed = false;
            for (size_t i = 0; i < events.size(); ++i) {
                if (i) request.body += '\n';
                request.body += events[i].hec_json;
            }
            const auto response = client_.send(request, [&ctx] { return ctx.should_stop(); });
            const HecAnswer answer = parse_hec_answer(response.body);
            if (response.ok() && answer.code == 0) {
                ctx.count("sent", static_cast<int64_t>(events.size()));
                return;
            }
            const bool names_event = response.status == 400 && answer.invalid_event >= 0 &&
                                     static_cast<size_t>(answer.invalid_event) < events.size();
            if (!names_event) {
                std::string why = sluice::bot_http::describe_status(request, response);
                if (response.ok()) why = "HEC answered code " + std::to_string(answer.code) + " instead of 0: " + why;
                throw std::runtime_error(why);
            }
            const size_t bad = static_cast<size_t>(answer.invalid_event);
            ctx.fail_record(events[bad].event_json, "HEC refused event " + std::to_string(bad) + " of " +
                                                        std::to_string(events.size()) + " in the request (code " +
                                                        std::to_string(answer.code) + ": " + answer.text + ")");
            ctx.count("events_refused");
            events.erase(events.begin() + static_cast<std::ptrdiff_t>(bad));
        }
    }

    std::string url_;
    std::string auth_;
    HecMetadata meta_;
    int64_t max_per_request_;
    HttpClient client_;
    std::vector<Pending> pending_;
};

}  // namespace

SLUICE_EXPORT_BOT(
    SplunkHecOutput, SLUICE_KIND_OUTPUT, "output_splunk_hec", "1.0.0",
    "Sends events to Splunk's HTTP Event Collector, each host batch in as few requests as allowed",
    SLUICE_PARAM("hec_url", SLUICE_PARAM_STRING, 1, nullptr,
                 "The collector's event endpoint, e.g. https://splunk.example:8088/services/collector/event"),
    SLUICE_PARAM("hec_token", SLUICE_PARAM_STRING, 1, nullptr,
                 "The HEC token, sent as 'Authorization: Splunk <token>'"),
    SLUICE_PARAM("index", SLUICE_PARAM_STRING, 0, nullptr, "Splunk index of the events (unset: the token's default)"),
    SLUICE_PARAM("sourcetype", SLUICE_PARAM_STRING, 0, nullptr,
                 "sourcetype of the events (unset: the token's default)"),
    SLUICE_PARAM("source", SLUICE_PARAM_STRING, 0, nullptr, "source of the events (unset: the token's default)"),
    SLUICE_PARAM("host", SLUICE_PARAM_STRING, 0, nullptr, "host of the events (unset: Splunk uses the sender's)"),
    SLUICE_PARAM("hierarchical_output", SLUICE_PARAM_BOOL, 0, "false",
                 "Nest dotted keys in the event: {\"source\": {\"ip\": ...}} instead of {\"source.ip\": ...}"),
    SLUICE_PARAM("max_events_per_request", SLUICE_PARAM_INT, 0, "500", "At most this many events in one POST body"),
    SLUICE_HTTP_CONNECTION_PARAMS)
