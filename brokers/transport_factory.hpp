// SPDX-License-Identifier: AGPL-3.0-or-later
// The transports this build carries (file, zmq, amqp), behind core's TransportFactory.
#pragma once

#include <memory>

#include "sluice/brokers/amqp_queue.hpp"
#include "sluice/core/transport.hpp"

namespace sluice {
// `log` receives what an operator should see, such as a lost and regained broker connection.
std::unique_ptr<TransportFactory> make_transport_factory(BrokerLog log = {});
}  // namespace sluice
