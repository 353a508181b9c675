// SPDX-License-Identifier: AGPL-3.0-or-later
// The transports this build carries, behind core's TransportFactory.
#pragma once

#include <memory>

#include "sluice/core/transport.hpp"

namespace sluice {
std::unique_ptr<TransportFactory> make_transport_factory();
}  // namespace sluice
