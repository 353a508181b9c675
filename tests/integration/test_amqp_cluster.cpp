// SPDX-License-Identifier: AGPL-3.0-or-later
// A three-node RabbitMQ cluster on loopback (three private nodes sharing a cookie and an epmd,
// joined with `rabbitmqctl join_cluster`), the bots' queues quorum queues replicated over all
// three. The bots reach the cluster through a load balancer (a loopback TCP forwarder) that sends
// them to the first node. During the run of 100,000 events, the middle bot's host is killed with
// SIGKILL and the first node's Erlang VM too; the balancer sends new connections to the second
// node, as a health-checked one would. Every event must reach the sink.
#include <doctest/doctest.h>

#include "crash_pipeline.hpp"
#include "rabbitmq_server.hpp"
#include "tcp_proxy.hpp"

using namespace sluice::test;

namespace {

// The cluster's epmd, killed when the test ends (no node owns it).
struct SharedEpmd {
    int port;
    ~SharedEpmd() { (void)run_command("epmd -port " + std::to_string(port) + " -kill"); }
};

}  // namespace

TEST_CASE("amqp: a three-node cluster with quorum queues loses no event when a node is killed mid-run") {
    const RabbitMqClusterShare share = new_cluster_share();
    SharedEpmd epmd{share.epmd_port};
    RabbitMqServer first(share), second(share), third(share);
    second.join(first);
    third.join(first);
    const CommandResult status = first.ctl("cluster_status");
    for (const RabbitMqServer* node : {&first, &second, &third})
        CHECK_MESSAGE(status.output.find(node->node()) != std::string::npos, status.output);

    TcpProxy balancer(first.port());
    bool node_killed = false;
    auto kill_first_node = [&] {
        first.kill();
        balancer.retarget(second.port());
        balancer.cut();  // what was connected to the dead node is gone
        node_killed = true;
    };
    const auto r = run_crash_pipeline({"amqp",
                                       "[transports.amqp]\nurl = \"amqp://guest:guest@127.0.0.1:" +
                                           std::to_string(balancer.port()) + "/\"\nrecords_per_message = 100\n",
                                       1, kill_first_node});
    if (r.exit_code != 0) {
        // What the cluster and the hosts were doing, last, where a cut-short CI log still shows it.
        MESSAGE("sluicectl up:\n" << r.output << "\nhosts' logs:\n" << r.host_logs);
        for (const RabbitMqServer* node : {&second, &third})
            MESSAGE(node->node() << ":\n"
                                 << node->ctl("list_queues name type leader online messages_ready "
                                              "messages_unacknowledged consumers")
                                        .output
                                 << node->ctl("eval 'rabbit_alarm:get_alarms().'").output << node->log_tail(3000));
    }
    REQUIRE(r.exit_code == 0);
    CHECK(node_killed);
    CHECK(r.kills == 1);
    MESSAGE("node killed: 1 of 3, host kills: " << r.kills << ", events written: " << r.events
                                                << ", unique: " << r.unique << ", duplicates: " << r.duplicates);
    CHECK(r.without_id == 0);
    CHECK(r.unique == static_cast<size_t>(kCrashEvents));
    CHECK(r.first_id == 0);
    CHECK(r.last_id == kCrashEvents - 1);
    // The queues were quorum queues, still served by the two nodes left.
    const CommandResult queues = second.ctl("list_queues name type members");
    INFO(queues.output);
    CHECK(queues.output.find("middle-queue\tquorum") != std::string::npos);
    CHECK(queues.output.find(third.node()) != std::string::npos);
}
