// SPDX-License-Identifier: AGPL-3.0-or-later
#include "rabbitmq_server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <stdexcept>
#include <thread>

namespace sluice::test {
namespace {

// The server and rabbitmqctl of one family; the /usr/sbin wrappers switch to the rabbitmq user,
// whose Erlang cookie differs from ours.
const std::string kBin = "/usr/lib/rabbitmq/bin/";

}  // namespace

int free_tcp_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        throw std::runtime_error("cannot find a free TCP port");
    ::close(fd);
    return ntohs(a.sin_port);
}

RabbitMqClusterShare new_cluster_share() {
    std::random_device random;
    std::string cookie;
    for (int i = 0; i < 20; ++i) cookie += static_cast<char>('A' + random() % 26);
    return {cookie, free_tcp_port()};
}

RabbitMqServer::RabbitMqServer() {
    epmd_port_ = free_tcp_port();
    prepare();
    start();
}

RabbitMqServer::RabbitMqServer(const RabbitMqClusterShare& share) {
    // The epmd is shared: the test, not any one node, kills it (RabbitMqCluster's owner).
    epmd_port_ = share.epmd_port;
    owns_epmd_ = false;
    prepare();
    const auto cookie = dir_ / ".erlang.cookie";
    write_file(cookie, share.cookie);
    std::filesystem::permissions(cookie, std::filesystem::perms::owner_read);
    start();
}

void RabbitMqServer::prepare() {
    if (!std::filesystem::exists(kBin + "rabbitmq-server"))
        throw std::runtime_error("RabbitMQ is not installed (Debian package rabbitmq-server; tools/dev installs it)");
    port_ = free_tcp_port();
    dist_port_ = free_tcp_port();
    node_ = "sluice" + std::to_string(std::random_device{}() % 1000000) + "@localhost";
    write_file(dir_ / "enabled_plugins", "[].\n");
    write_file(dir_ / "rabbitmq-env.conf", "");
}

RabbitMqServer::~RabbitMqServer() {
    try {
        stop();
    } catch (...) {
    }
    if (owns_epmd_) (void)run_command(environment() + " epmd -port " + std::to_string(epmd_port_) + " -kill");
}

std::string RabbitMqServer::environment() const {
    const std::string d = dir_.path().string();
    return "env HOME=" + d + " RABBITMQ_NODENAME=" + node_ + " RABBITMQ_NODE_IP_ADDRESS=127.0.0.1" +
           " RABBITMQ_NODE_PORT=" + std::to_string(port_) + " RABBITMQ_DIST_PORT=" + std::to_string(dist_port_) +
           " ERL_EPMD_PORT=" + std::to_string(epmd_port_) + " ERL_EPMD_ADDRESS=127.0.0.1" +
           " RABBITMQ_MNESIA_BASE=" + d + "/mnesia RABBITMQ_LOG_BASE=" + d + "/log RABBITMQ_PID_FILE=" + d +
           "/rabbit.pid RABBITMQ_ENABLED_PLUGINS_FILE=" + d + "/enabled_plugins RABBITMQ_CONF_ENV_FILE=" + d +
           "/rabbitmq-env.conf RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'";
}

void RabbitMqServer::start() {
    if (running_) return;
    const CommandResult up = run_command(environment() + " " + kBin + "rabbitmq-server -detached");
    if (up.exit_code != 0) throw std::runtime_error("rabbitmq-server -detached failed: " + up.output);
    // The node writes its pid file in place, so `wait` can read it half-written and give up with
    // garbage_in_pid_file (seen under load): read it again then.
    CommandResult wait;
    for (int attempt = 0; attempt < 10; ++attempt) {
        wait = ctl("wait " + (dir_ / "rabbit.pid").string() + " --timeout 120");
        if (wait.exit_code == 0 || wait.output.find("garbage_in_pid_file") == std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (wait.exit_code != 0) {
        throw std::runtime_error("RabbitMQ did not start: " + wait.output + "\n" + log_tail(4000));
    }
    running_ = true;
}

std::string RabbitMqServer::log_tail(size_t bytes) const {
    // A node that died before writing any log has no log folder: then this is empty.
    std::string log;
    std::error_code ec;
    for (const auto& f : std::filesystem::directory_iterator(dir_ / "log", ec)) log += read_file(f.path());
    return log.substr(log.size() > bytes ? log.size() - bytes : 0);
}

void RabbitMqServer::stop() {
    if (!running_) return;
    running_ = false;
    const CommandResult r = ctl("stop " + (dir_ / "rabbit.pid").string());
    if (r.exit_code != 0) throw std::runtime_error("rabbitmqctl stop failed: " + r.output);
}

void RabbitMqServer::kill() {
    if (!running_) return;
    running_ = false;
    (void)run_command("kill -9 $(cat " + (dir_ / "rabbit.pid").string() + ")");
}

void RabbitMqServer::join(const RabbitMqServer& other) {
    for (const std::string& step :
         {std::string("stop_app"), "join_cluster " + other.node(), std::string("start_app")}) {
        const CommandResult r = ctl(step);
        if (r.exit_code != 0) throw std::runtime_error("rabbitmqctl " + step + " failed: " + r.output);
    }
}

CommandResult RabbitMqServer::ctl(const std::string& args) const {
    return run_command(environment() + " " + kBin + "rabbitmqctl -n " + node_ + " " + args);
}

}  // namespace sluice::test
