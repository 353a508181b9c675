// SPDX-License-Identifier: AGPL-3.0-or-later
//
// output_elasticsearch: IntelMQ's Elasticsearch output (intelmq/bots/outputs/elasticsearch/
// output.py), with the bulk API instead of one request per event. process() only shapes the event
// and picks its index; flush() sends the whole host batch as one _bulk request (NDJSON: an action
// line and a document line per event) and reads the answer item by item:
//
//  - 2xx: indexed;
//  - 429 (Elasticsearch's queue is full): sent again, alone with the other rejected ones, after a
//    pause, up to http_timeout_max_tries times; still rejected after that: flush fails and the
//    host delivers the batch again;
//  - any other error (a mapping conflict, a bad value): the event can never be indexed as it is,
//    so it is given up with fail_record — dumped with a reason naming its position in the bulk
//    request, its index and Elasticsearch's error type and reason — and the rest goes on.
//
// A whole request answered with non-2xx (after the shared client's own retries of 429/502/503/504
// and time-outs) fails the flush, naming the status and the start of the body.
#include <sluice/bot.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "bulk_response.hpp"
#include "es_document.hpp"
#include "http_client.hpp"
#include "index_name.hpp"

namespace {

using namespace sluice::output_elasticsearch;
using sluice::bot_http::HttpClient;
using sluice::bot_http::HttpRequest;

struct Pending {
    std::string index;
    std::string document;
    std::string event_json;  // the event in the wire format, for the dump if it is given up
};

std::string bulk_url(const sluice::Params& p) {
    const std::string host = p.string("elastic_host", "127.0.0.1");
    const int64_t port = p.integer("elastic_port", 9200);
    if (host.empty() || host.find_first_of("/ @") != std::string::npos)
        throw sluice::FatalError("parameter 'elastic_host' = '" + host +
                                 "': expected a host name or address (use use_ssl for https)");
    if (port < 1 || port > 65535)
        throw sluice::FatalError("parameter 'elastic_port' = " + std::to_string(port) + ": expected 1 to 65535");
    const bool ipv6 = host.find(':') != std::string::npos && host.front() != '[';
    return std::string(p.boolean("use_ssl") ? "https://" : "http://") + (ipv6 ? "[" + host + "]" : host) + ":" +
           std::to_string(port) + "/_bulk";
}

IndexName read_index(const sluice::Params& p) {
    try {
        return IndexName(p.string("elastic_index", "intelmq"), p.string("rotate_index", "never"));
    } catch (const std::invalid_argument& e) {
        throw sluice::FatalError(std::string("parameter ") + e.what());
    }
}

DocumentShape read_shape(const sluice::Params& p) {
    DocumentShape s;
    s.hierarchical = p.boolean("hierarchical_output");
    s.flatten_fields = p.list("flatten_fields");
    s.replacement_char = p.string("replacement_char");
    if (s.hierarchical && !s.replacement_char.empty())
        throw sluice::FatalError(
            "parameters 'hierarchical_output' and 'replacement_char' are both set: nested "
            "fields have no dots to replace; choose one");
    return s;
}

class ElasticsearchOutput {
 public:
    ElasticsearchOutput(const sluice::Params& p, sluice::Context&)
        : url_(bulk_url(p)), index_(read_index(p)), shape_(read_shape(p)), client_(sluice::bot_http::http_options(p)) {}

    sluice::Status process(sluice::Message& event, sluice::Context&) {
        Pending item;
        item.index =
            index_.for_event(event.get("time.source"), event.get("time.observation"), std::chrono::system_clock::now());
        item.document = es_document(event, shape_);
        item.event_json = std::string(event.json());
        pending_.push_back(std::move(item));
        return sluice::Status::ok;
    }

    sluice::Status flush(sluice::Context& ctx) {
        // Taken out first: if the flush fails, the host delivers the batch again through process.
        std::vector<Pending> batch = std::move(pending_);
        pending_.clear();
        double delay = client_.options().retry_delay;
        for (int attempt = 1; !batch.empty(); ++attempt) {
            std::vector<Pending> rejected = send_bulk(batch, ctx);
            if (rejected.empty()) break;
            if (attempt >= client_.options().max_tries) {
                throw std::runtime_error(std::to_string(rejected.size()) +
                                         " of the events were still rejected with 429 (" + first_rejection_ +
                                         ") after " + std::to_string(attempt) +
                                         " bulk requests; the batch will be delivered again");
            }
            ctx.warning(std::to_string(rejected.size()) + " events rejected with 429 (" + first_rejection_ +
                        "); sending them again");
            ctx.count("bulk_items_retried", static_cast<int64_t>(rejected.size()));
            wait(delay, ctx);
            delay = std::min(60.0, delay * 2);
            batch = std::move(rejected);
        }
        return sluice::Status::ok;
    }

 private:
    // Sends one bulk request; returns the items rejected with 429, gives up the ones that failed
    // for good.
    std::vector<Pending> send_bulk(std::vector<Pending>& batch, sluice::Context& ctx) {
        HttpRequest request;
        request.method = "POST";
        request.url = url_;
        request.headers.push_back("Content-Type: application/x-ndjson");
        request.accept_compressed = false;
        for (const Pending& item : batch) {
            request.body += R"({"index":{"_index":")" + item.index + "\"}}\n";
            request.body += item.document;
            request.body += '\n';
        }
        const auto response = client_.send(request, [&ctx] { return ctx.should_stop(); });
        if (!response.ok()) throw std::runtime_error(sluice::bot_http::describe_status(request, response));

        std::vector<BulkItemResult> results;
        try {
            results = parse_bulk_response(response.body, batch.size());
        } catch (const std::exception& e) {
            throw std::runtime_error(std::string(e.what()) + " (from POST " + sluice::bot_http::redact_url(url_) + ")");
        }
        std::vector<Pending> rejected;
        first_rejection_.clear();
        int64_t indexed = 0, given_up = 0;
        for (size_t i = 0; i < results.size(); ++i) {
            const BulkItemResult& r = results[i];
            if (r.ok()) {
                ++indexed;
                continue;
            }
            const std::string where = "bulk item " + std::to_string(i) + " of " + std::to_string(results.size()) +
                                      " (index " + (r.index.empty() ? batch[i].index : r.index) + "): HTTP " +
                                      std::to_string(r.status) + " " + r.error;
            if (r.retryable()) {
                if (first_rejection_.empty()) first_rejection_ = where;
                rejected.push_back(std::move(batch[i]));
            } else {
                ctx.fail_record(batch[i].event_json, where);
                ++given_up;
            }
        }
        ctx.count("indexed", indexed);
        if (given_up) ctx.count("bulk_items_failed", given_up);
        return rejected;
    }

    static void wait(double seconds, sluice::Context& ctx) {
        const auto until =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
        while (std::chrono::steady_clock::now() < until) {
            if (ctx.should_stop()) throw std::runtime_error("stopped while waiting to resend events rejected with 429");
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    std::string url_;
    IndexName index_;
    DocumentShape shape_;
    HttpClient client_;
    std::vector<Pending> pending_;
    std::string first_rejection_;
};

}  // namespace

SLUICE_EXPORT_BOT(
    ElasticsearchOutput, SLUICE_KIND_OUTPUT, "output_elasticsearch", "1.0.0",
    "IntelMQ's Elasticsearch output: indexes each host batch with one bulk request, by date-rotated index",
    SLUICE_PARAM("elastic_host", SLUICE_PARAM_STRING, 0, "\"127.0.0.1\"", "Host name or address of Elasticsearch"),
    SLUICE_PARAM("elastic_port", SLUICE_PARAM_INT, 0, "9200", "Port of Elasticsearch's HTTP API"),
    SLUICE_PARAM("use_ssl", SLUICE_PARAM_BOOL, 0, "false", "Speak https to Elasticsearch"),
    SLUICE_PARAM("elastic_index", SLUICE_PARAM_STRING, 0, "\"intelmq\"",
                 "Index name, or the start of it when rotate_index is set"),
    SLUICE_PARAM("rotate_index", SLUICE_PARAM_STRING, 0, "\"never\"",
                 "never, daily (-%Y-%m-%d), weekly (-%Y-%W), monthly (-%Y-%m) or yearly (-%Y), by time.source, "
                 "else time.observation"),
    SLUICE_PARAM("flatten_fields", SLUICE_PARAM_STRING_LIST, 0, "[\"extra\"]",
                 "Fields whose JSON object value is spread into <field>_<key> fields"),
    SLUICE_PARAM("replacement_char", SLUICE_PARAM_STRING, 0, nullptr,
                 "Replace the dots in field names by this (for Elasticsearch 2.x, e.g. \"_\")"),
    SLUICE_PARAM("hierarchical_output", SLUICE_PARAM_BOOL, 0, "false",
                 "Send nested objects {\"source\": {\"ip\": ...}} instead of dotted names"),
    SLUICE_HTTP_AUTH_PARAMS, SLUICE_HTTP_CONNECTION_PARAMS)
