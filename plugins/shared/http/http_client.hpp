// SPDX-License-Identifier: AGPL-3.0-or-later
//
// One HTTP client per bot instance, on libcurl. It keeps its easy handle (and so its connections)
// between requests, applies the shared HttpOptions (TLS verification on unless switched off, proxy,
// timeouts, auth, headers), and retries transient failures itself: time-outs, refused or dropped
// connections, and the answers a request names as retryable (429, 502, 503, 504 by default),
// waiting retry_delay, doubled each time, or what Retry-After says (at most 60 s).
//
// Only http:// and https:// are spoken, also after redirects, so a feed cannot point the bot at
// file:// or other protocols.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "curl_handles.hpp"
#include "http_options.hpp"

namespace sluice::bot_http {

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::string body;                  // sent for POST/PUT
    std::vector<std::string> headers;  // "Name: value", after the configured ones
    std::vector<long> retry_statuses = {429, 502, 503, 504};
    bool accept_compressed = true;  // ask for gzip/deflate and decode it transparently
};

struct HttpResponse {
    long status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, last response only
    int attempts = 0;

    bool ok() const { return status >= 200 && status < 300; }
    // The value of a header (lower-case name), or "".
    std::string header(std::string_view name) const;
};

// A failure no answer came back for (all attempts): the message names the method, the URL, the
// libcurl reason and the number of attempts.
struct HttpTransportError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class HttpClient {
 public:
    explicit HttpClient(HttpOptions options);

    // Sends the request, retrying as described above; returns the last answer (2xx or not) or
    // throws HttpTransportError. `should_stop` is polled while waiting between attempts.
    HttpResponse send(const HttpRequest& request, const std::function<bool()>& should_stop = {});

    const HttpOptions& options() const { return options_; }

 private:
    CURLcode attempt(const HttpRequest& request, HttpResponse& response, std::string& error);

    HttpOptions options_;
    CurlEasy curl_;
    // libcurl's error text. libcurl keeps the pointer, so it lives on the heap, where moving the
    // client does not move it.
    std::unique_ptr<char[]> error_ = std::make_unique<char[]>(CURL_ERROR_SIZE);
};

// "HTTP 404 (Not Found) from GET http://...: <first 200 bytes of the body>" for an error message.
std::string describe_status(const HttpRequest& request, const HttpResponse& response, size_t body_chars = 200);

// The URL without any user:password@ part, for messages and logs.
std::string redact_url(std::string_view url);

}  // namespace sluice::bot_http
