// SPDX-License-Identifier: AGPL-3.0-or-later
// A private RabbitMQ node for one test: Debian's rabbitmq-server, started on loopback with its own
// node name, ports, cookie and data folder under a temporary directory, stopped (and its epmd
// killed) when this goes away. Start-up takes about 5 s. Follows ../shared/TOOLCHAIN.md.
#pragma once

#include <filesystem>
#include <string>

#include "test_support.hpp"

namespace sluice::test {

// What the nodes of one cluster share: an Erlang cookie and the epmd they register with.
struct RabbitMqClusterShare {
    std::string cookie;
    int epmd_port = 0;
};
RabbitMqClusterShare new_cluster_share();

class RabbitMqServer {
 public:
    RabbitMqServer();  // starts the node; throws std::runtime_error with the node's log on failure
    // A node that can join others with the same share (join_cluster).
    explicit RabbitMqServer(const RabbitMqClusterShare& share);
    ~RabbitMqServer();
    RabbitMqServer(const RabbitMqServer&) = delete;
    RabbitMqServer& operator=(const RabbitMqServer&) = delete;

    int port() const { return port_; }
    std::string url() const { return "amqp://guest:guest@127.0.0.1:" + std::to_string(port_) + "/"; }
    void stop();
    void start();
    // SIGKILL of the node's Erlang VM: a machine that dies, not a node that leaves.
    void kill();
    // Stops the app, joins `other`'s cluster, starts again; throws with rabbitmqctl's words.
    void join(const RabbitMqServer& other);
    const std::string& node() const { return node_; }
    // rabbitmqctl with this node's environment, e.g. "list_queues name messages".
    CommandResult ctl(const std::string& args) const;
    // The last `bytes` of the node's logs (for a failing test's message).
    std::string log_tail(size_t bytes) const;

 private:
    void prepare();
    std::string environment() const;
    TempDir dir_{"sluice-rabbitmq"};
    int port_ = 0, dist_port_ = 0, epmd_port_ = 0;
    bool owns_epmd_ = true;
    std::string node_;
    bool running_ = false;
};

// A TCP port nobody listens on right now (the kernel's choice for a bound-then-closed socket).
int free_tcp_port();

}  // namespace sluice::test
