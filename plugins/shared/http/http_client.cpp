// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http_client.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

namespace sluice::bot_http {
namespace {

constexpr double kMaxRetryWait = 60;

size_t append_body(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

size_t collect_header(char* data, size_t size, size_t n, void* out) {
    auto& headers = *static_cast<std::vector<std::pair<std::string, std::string>>*>(out);
    std::string_view line(data, size * n);
    if (line.starts_with("HTTP/")) headers.clear();  // a new response (after a redirect or 100-continue)
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
        std::string name(line.substr(0, colon));
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
            value.remove_suffix(1);
        headers.emplace_back(std::move(name), std::string(value));
    }
    return size * n;
}

// Failures where trying again may help: the server was not reached, did not answer in time, or
// dropped the connection.
bool transient(CURLcode c) {
    switch (c) {
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_GOT_NOTHING:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_SSL_CONNECT_ERROR:
            return true;
        default:
            return false;
    }
}

// Seconds from a Retry-After header in its delta-seconds form; -1 when absent or a date.
double retry_after(const HttpResponse& r) {
    const std::string v = r.header("retry-after");
    if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos) return -1;
    return std::min(kMaxRetryWait, std::stod(v));
}

const char* reason_phrase(long status) {
    switch (status) {
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 413:
            return "Payload Too Large";
        case 415:
            return "Unsupported Media Type";
        case 429:
            return "Too Many Requests";
        case 500:
            return "Internal Server Error";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        default:
            return nullptr;
    }
}

bool wait(double seconds, const std::function<bool()>& should_stop) {
    using clock = std::chrono::steady_clock;
    const auto until =
        clock::now() + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds));
    while (clock::now() < until) {
        if (should_stop && should_stop()) return false;
        const clock::duration left = until - clock::now();
        std::this_thread::sleep_for(std::min<clock::duration>(std::chrono::milliseconds(20), left));
    }
    return true;
}

template <class T>
void setopt(CURL* h, CURLoption opt, T value) {
    const CURLcode c = curl_easy_setopt(h, opt, value);
    if (c != CURLE_OK) throw std::runtime_error(std::string("libcurl: cannot set an option: ") + curl_easy_strerror(c));
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (k == name) return v;
    return {};
}

std::string redact_url(std::string_view url) {
    const size_t scheme = url.find("://");
    if (scheme == std::string_view::npos) return std::string(url);
    const size_t host_start = scheme + 3;
    const size_t at = url.find('@', host_start);
    const size_t path = url.find_first_of("/?#", host_start);
    if (at == std::string_view::npos || (path != std::string_view::npos && at > path)) return std::string(url);
    return std::string(url.substr(0, host_start)) + "***@" + std::string(url.substr(at + 1));
}

std::string describe_status(const HttpRequest& request, const HttpResponse& response, size_t body_chars) {
    std::string out = "HTTP " + std::to_string(response.status);
    if (const char* phrase = reason_phrase(response.status)) out += std::string(" (") + phrase + ")";
    out += " from " + request.method + " " + redact_url(request.url);
    if (response.attempts > 1) out += " after " + std::to_string(response.attempts) + " attempts";
    std::string body = response.body.substr(0, body_chars);
    std::replace_if(
        body.begin(), body.end(), [](unsigned char c) { return c < 0x20; }, ' ');
    if (!body.empty()) out += ": " + body + (response.body.size() > body_chars ? "..." : "");
    return out;
}

HttpClient::HttpClient(HttpOptions options) : options_(std::move(options)), curl_(make_curl_easy()) {}

CURLcode HttpClient::attempt(const HttpRequest& request, HttpResponse& response, std::string& error) {
    CURL* h = curl_.get();
    curl_easy_reset(h);  // keeps the connection cache, forgets the previous request's options
    error_[0] = '\0';
    response.body.clear();
    response.headers.clear();
    response.status = 0;

    setopt(h, CURLOPT_ERRORBUFFER, error_.get());
    setopt(h, CURLOPT_URL, request.url.c_str());
    setopt(h, CURLOPT_NOSIGNAL, 1L);
    setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    // Only a GET follows redirects. libcurl turns a POST into a GET on 301/302/303, and a 2xx for
    // that GET would count an event as delivered that never was; a 3xx to a POST fails (and is
    // retried) instead, and no credential header travels to wherever the redirect points.
    setopt(h, CURLOPT_FOLLOWLOCATION, request.method == "GET" ? 1L : 0L);
    setopt(h, CURLOPT_MAXREDIRS, 10L);
    setopt(h, CURLOPT_WRITEFUNCTION, &append_body);
    setopt(h, CURLOPT_WRITEDATA, &response.body);
    setopt(h, CURLOPT_HEADERFUNCTION, &collect_header);
    setopt(h, CURLOPT_HEADERDATA, &response.headers);
    if (request.accept_compressed) setopt(h, CURLOPT_ACCEPT_ENCODING, "");

    setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout * 1000));
    // libcurl has no read time-out as such: "less than 1 byte/s for N s" is the same thing, in
    // whole seconds.
    setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    setopt(h, CURLOPT_LOW_SPEED_TIME, std::max(1L, static_cast<long>(std::ceil(options_.read_timeout))));

    setopt(h, CURLOPT_SSL_VERIFYPEER, options_.verify_cert ? 1L : 0L);
    setopt(h, CURLOPT_SSL_VERIFYHOST, options_.verify_cert ? 2L : 0L);
    if (!options_.ca_certificate.empty()) setopt(h, CURLOPT_CAINFO, options_.ca_certificate.c_str());
    if (!options_.client_certificate.empty()) setopt(h, CURLOPT_SSLCERT, options_.client_certificate.c_str());

    const bool https = request.url.starts_with("https://") || request.url.starts_with("HTTPS://");
    const std::string& proxy = https ? options_.https_proxy : options_.http_proxy;
    if (!proxy.empty()) setopt(h, CURLOPT_PROXY, proxy.c_str());

    if (!options_.username.empty()) {
        setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
        setopt(h, CURLOPT_USERNAME, options_.username.c_str());
        setopt(h, CURLOPT_PASSWORD, options_.password.c_str());
    }
    if (!options_.user_agent.empty()) setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());

    CurlHeaders headers;
    if (!options_.bearer_token.empty()) headers.add("Authorization: Bearer " + options_.bearer_token);
    for (const auto& line : options_.headers) headers.add(line);
    for (const auto& line : request.headers) headers.add(line);
    headers.add("Expect:");  // no 100-continue round trip before a POST body
    setopt(h, CURLOPT_HTTPHEADER, headers.get());

    if (request.method == "GET") {
        setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        if (request.method != "POST") setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        setopt(h, CURLOPT_POST, 1L);
        setopt(h, CURLOPT_POSTFIELDS, request.body.data());
        setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }

    const CURLcode c = curl_easy_perform(h);
    if (c == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    } else {
        error = error_[0] ? std::string(error_.get()) : std::string(curl_easy_strerror(c));
    }
    return c;
}

HttpResponse HttpClient::send(const HttpRequest& request, const std::function<bool()>& should_stop) {
    HttpResponse response;
    double delay = options_.retry_delay;
    for (int n = 1;; ++n) {
        response.attempts = n;
        std::string error;
        const CURLcode c = attempt(request, response, error);
        const bool retryable_status =
            c == CURLE_OK && std::find(request.retry_statuses.begin(), request.retry_statuses.end(), response.status) !=
                                 request.retry_statuses.end();
        if (c == CURLE_OK && !retryable_status) return response;
        if (c != CURLE_OK && !transient(c))
            throw HttpTransportError(request.method + " " + redact_url(request.url) + ": " + error);
        if (n >= options_.max_tries) {
            if (c == CURLE_OK) return response;  // the caller reports the status it got
            throw HttpTransportError(request.method + " " + redact_url(request.url) + ": " + error + " (" +
                                     std::to_string(n) + (n == 1 ? " attempt)" : " attempts)"));
        }
        const double hinted = c == CURLE_OK ? retry_after(response) : -1;
        if (!wait(hinted >= 0 ? hinted : delay, should_stop)) {
            if (c == CURLE_OK) return response;
            throw HttpTransportError(request.method + " " + redact_url(request.url) + ": " + error +
                                     " (stopped while waiting to retry)");
        }
        delay = std::min(kMaxRetryWait, delay * 2);
    }
}

}  // namespace sluice::bot_http
