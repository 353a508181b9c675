// SPDX-License-Identifier: AGPL-3.0-or-later
// Where the broker is and who logs in: the URL, with the user and password replaced by those the
// settings point at (environment variable or file), so a password never has to be in the config.
#pragma once

#include <string>

#include "sluice/core/config.hpp"

namespace sluice {

struct AmqpTarget {
    std::string host;
    int port = 5672;
    std::string vhost = "/";
    std::string user = "guest";
    std::string password = "guest";
    bool tls = false;
    std::string display;  // for messages: no password
};

// Throws QueueError (naming the setting, never the password) when the URL does not parse or the
// password's variable or file is missing.
AmqpTarget resolve_amqp_target(const AmqpSettings& settings);

}  // namespace sluice
