// SPDX-License-Identifier: AGPL-3.0-or-later
#include "push_client.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

namespace sluice::test {

bool listening(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

PushClient::PushClient(int port, const char* source) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (source) {  // another loopback address (127.0.0.0/8): another client, as the server sees it
        sockaddr_in from{};
        from.sin_family = AF_INET;
        REQUIRE(::inet_pton(AF_INET, source, &from.sin_addr) == 1);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0);
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
}

PushClient::~PushClient() { ::close(fd_); }

void PushClient::send(const std::string& bytes) {
    REQUIRE(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
}

void PushClient::post(const std::string& target, const std::string& body, const std::string& headers) {
    send("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         headers + "\r\n" + body);
}

HttpAnswer PushClient::answer(double seconds) {
    HttpAnswer out;
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    for (;;) {
        // A complete answer in the buffer: headers, then Content-Length bytes.
        const size_t end = buffer_.find("\r\n\r\n");
        if (end != std::string::npos) {
            const std::string head = buffer_.substr(0, end);
            size_t length = 0;
            std::map<std::string, std::string> headers;
            size_t line = head.find("\r\n");
            while (line != std::string::npos) {
                const size_t next = head.find("\r\n", line + 2);
                const std::string h =
                    head.substr(line + 2, next == std::string::npos ? std::string::npos : next - line - 2);
                const size_t colon = h.find(':');
                if (colon != std::string::npos) {
                    std::string name = h.substr(0, colon);
                    std::transform(name.begin(), name.end(), name.begin(),
                                   [](unsigned char c) { return std::tolower(c); });
                    headers[name] = h.substr(h.find_first_not_of(' ', colon + 1));
                }
                line = next;
            }
            if (headers.count("content-length")) length = std::stoul(headers["content-length"]);
            if (buffer_.size() >= end + 4 + length) {
                out.status = std::atoi(head.substr(9, 3).c_str());
                out.headers = std::move(headers);
                out.body = buffer_.substr(end + 4, length);
                buffer_.erase(0, end + 4 + length);
                if (out.status == 100) return answer(seconds);  // 100 Continue: the real answer follows
                return out;
            }
        }
        if (out.closed || std::chrono::steady_clock::now() >= until) return out;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        char buf[4096];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) {
            out.closed = true;
            continue;
        }
        buffer_.append(buf, static_cast<size_t>(n));
    }
}

}  // namespace sluice::test
