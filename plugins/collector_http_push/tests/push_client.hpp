// SPDX-License-Identifier: AGPL-3.0-or-later
//
// A sender for collector_http_push's tests: a plain loopback socket, so a test controls exactly
// what is sent and when, and can see that no answer has come (yet).
#pragma once

#include <map>
#include <string>

#include "test_support.hpp"  // free_port

namespace sluice::test {

// Whether something accepts connections on the loopback port.
bool listening(int port);

struct HttpAnswer {
    int status = 0;                              // 0: no complete answer arrived
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    bool closed = false;  // the server closed the connection
};

class PushClient {
 public:
    // Connects (from `source`, e.g. "127.0.0.2", when given); fails the test when it cannot.
    explicit PushClient(int port, const char* source = nullptr);
    ~PushClient();
    PushClient(const PushClient&) = delete;
    PushClient& operator=(const PushClient&) = delete;

    void send(const std::string& bytes);
    // A POST of `body` to `target` with `headers` (each "Name: value\r\n"), Content-Length set.
    void post(const std::string& target, const std::string& body, const std::string& headers);
    // Reads one answer for up to `seconds`; status 0 when none arrived complete.
    HttpAnswer answer(double seconds = 2.0);

 private:
    int fd_ = -1;
    std::string buffer_;  // received, not yet returned
};

}  // namespace sluice::test
