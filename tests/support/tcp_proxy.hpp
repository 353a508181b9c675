// SPDX-License-Identifier: AGPL-3.0-or-later
// A TCP forwarder on loopback between a client under test and a real server, which a test can
// make fail the way a network does at the worst moment: the server's replies held back (a confirm
// that never arrives), then every connection cut.
#pragma once

#include <atomic>
#include <thread>

namespace sluice::test {

class TcpProxy {
 public:
    explicit TcpProxy(int target_port);  // listens on a free loopback port; throws on failure
    ~TcpProxy();
    TcpProxy(const TcpProxy&) = delete;
    TcpProxy& operator=(const TcpProxy&) = delete;

    int port() const { return port_; }
    // While held, what the server sends waits (in the kernel's buffers); the client's bytes still go.
    void hold_replies(bool hold);
    // Closes every connection open now, both sides, dropping what waited; new ones are accepted.
    void cut();
    // New connections go to this port from now on: a load balancer that has seen a server go.
    void retarget(int port) { target_port_ = port; }

 private:
    void run();
    void wake();

    std::atomic<int> target_port_;
    int port_ = 0;
    int listen_fd_ = -1;
    int wake_pipe_[2] = {-1, -1};
    std::atomic<bool> hold_{false}, cut_{false}, stop_{false};
    std::thread thread_;
};

}  // namespace sluice::test
