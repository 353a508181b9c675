// SPDX-License-Identifier: AGPL-3.0-or-later
// The transports this build carries (file, zmq, amqp), behind core's TransportFactory.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "sluice/brokers/amqp_queue.hpp"
#include "sluice/core/log.hpp"
#include "sluice/core/transport.hpp"

namespace sluice {
// `log` receives what an operator should see, with its level: a lost and regained broker connection
// (warning), damaged bytes of a file queue moved to quarantine (error).
using TransportLog = std::function<void(LogLevel, const std::string&)>;
// Called with true when an append to a file queue starts waiting for disk space, false when it goes on.
using DiskFullHook = std::function<void(bool)>;
std::unique_ptr<TransportFactory> make_transport_factory(TransportLog log = {}, DiskFullHook on_disk_full = {});
}  // namespace sluice
