// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The HTTP/1.1 endpoint (Boost.Beast) senders POST reports to. It runs only while the collector
// calls it, on the collector's thread: no background thread, so nothing is read while the host
// is busy elsewhere, and what arrives meanwhile waits in the kernel (senders see back-pressure,
// not loss). Every wait carries a time-out, so a slow or silent client costs a connection slot
// for at most `timeout`, never the host's time.
//
// A POST to `path` with the right token and a body within `max_body_bytes` becomes a Submission:
// its sender gets no answer until the collector calls answer() (202 once the report is durable).
// Everything else is answered here at once: 401 (no or wrong token), 404 (other paths), 405
// (other methods), 413 (body too big), 400 (malformed), 200 for GET /health.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::collector_http_push {

struct ServerOptions {
    std::string ip;
    int port = 0;
    std::string path;   // the one path reports are POSTed to
    std::string token;  // what senders must present
    size_t max_body_bytes = 0;
    std::chrono::milliseconds timeout{30000};  // to send one request, to idle between requests
    // To send a request's headers before the connection has sent the token once: a client that
    // connects and says nothing holds its slot this long, not `timeout`.
    std::chrono::milliseconds header_timeout{5000};
    size_t max_connections = 256;            // more wait in the kernel's accept queue
    size_t max_connections_per_client = 16;  // per client address; more are answered 429 and closed
};

class Session;

// A POST whose body arrived in full; its sender waits for the answer. Dropping the last copy
// without answer() closes the connection without an answer, so the sender sends again.
struct Submission {
    std::string body;
    std::string query;  // the target's part after '?', still %-encoded
    std::string peer;   // "127.0.0.1:40000", for logs
    std::shared_ptr<Session> session;
};

// Something worth a log line and a counter, collected while the server ran.
struct Notice {
    bool warning = false;  // else debug
    std::string text;      // never holds a token or a body
    std::string counter;   // a statistics counter to add one to, or ""
};

// {"status":"error","error":"<why>"}, the body of every refusal.
std::string error_json(std::string_view why);

class PushServer {
 public:
    // Binds and listens; throws std::runtime_error naming ip:port.
    explicit PushServer(ServerOptions options);
    ~PushServer();
    PushServer(const PushServer&) = delete;
    PushServer& operator=(const PushServer&) = delete;

    // Serves for up to `wait` until a submission is complete; after that only handles what is
    // ready without waiting, and returns once nothing is, `limit` submissions are complete, or
    // `should_stop` says so.
    std::vector<Submission> receive(std::chrono::milliseconds wait, size_t limit,
                                    const std::function<bool()>& should_stop);

    // Answers a submission with `status` and a JSON body; the connection then reads its next
    // request (keep-alive) or closes, as the sender asked.
    void answer(const Submission& submission, int status, std::string json_body);

    // Gives the answers just started up to `at_most` to reach the senders.
    void send_answers(std::chrono::milliseconds at_most);

    std::vector<Notice> take_notices();
    // "http://127.0.0.1:8080/submit", for the start-up log line.
    std::string url() const;

    struct Impl;

 private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::collector_http_push
