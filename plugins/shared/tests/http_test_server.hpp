// SPDX-License-Identifier: AGPL-3.0-or-later
//
// A small HTTP/1.1 server for the HTTP bots' tests (Boost.Beast), on 127.0.0.1 and a free port,
// running in its own thread for the lifetime of the object. Every request is recorded exactly as
// it arrived (method, target, headers, body) for the test to check, and answered by the test's
// handler, which may also delay the answer or drop the connection without one (to provoke
// time-outs and retries).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sluice::test {

struct RecordedRequest {
    size_t index = 0;  // 0 for the first request the server got
    std::string method;
    std::string target;                                        // path and query, as sent
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    std::string body;

    // The value of a header (lower-case name), or "" when absent.
    std::string header(const std::string& name) const;
    bool has_header(const std::string& name) const;
};

struct CannedResponse {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // Content-Type defaults to text/plain
    std::chrono::milliseconds delay{0};                        // wait this long before answering
    bool drop = false;                                         // close the connection, no answer

    static CannedResponse text(int status, std::string body) {
        CannedResponse r;
        r.status = status;
        r.body = std::move(body);
        return r;
    }
    static CannedResponse json(int status, std::string body) {
        CannedResponse r = text(status, std::move(body));
        r.headers.emplace_back("Content-Type", "application/json");
        return r;
    }
    static CannedResponse dropped() {
        CannedResponse r;
        r.drop = true;
        return r;
    }
    CannedResponse& with_header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
    CannedResponse& after(std::chrono::milliseconds wait) {
        delay = wait;
        return *this;
    }
};

class HttpTestServer {
 public:
    using Handler = std::function<CannedResponse(const RecordedRequest&)>;

    explicit HttpTestServer(Handler handler);
    ~HttpTestServer();
    HttpTestServer(const HttpTestServer&) = delete;
    HttpTestServer& operator=(const HttpTestServer&) = delete;

    uint16_t port() const;
    // "http://127.0.0.1:<port>" + path
    std::string url(const std::string& path = "/") const;
    // Everything received so far, in order.
    std::vector<RecordedRequest> requests() const;
    size_t request_count() const;

    struct Impl;

 private:
    std::unique_ptr<Impl> impl_;
};

// Makes the bots under test reach loopback servers directly even where the environment names a
// proxy for everything. HttpTestServer's constructor calls it; call it before talking to another
// local server.
void bypass_proxies_for_loopback();

// Gzip (RFC 1952) of `data`, for serving compressed feeds.
std::string gzip(const std::string& data);

}  // namespace sluice::test
