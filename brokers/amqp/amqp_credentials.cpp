// SPDX-License-Identifier: AGPL-3.0-or-later
#include "amqp_credentials.hpp"

#include <amqp.h>

#include <cstdlib>
#include <fstream>
#include <vector>

#include "sluice/core/queue.hpp"

namespace sluice {

AmqpTarget resolve_amqp_target(const AmqpSettings& s) {
    AmqpTarget t;
    std::vector<char> buffer(s.url.begin(), s.url.end());
    buffer.push_back('\0');
    amqp_connection_info info{};
    amqp_default_connection_info(&info);
    // amqp_parse_url cuts the copy in place; the pieces point into `buffer`.
    if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) {
        // The URL itself may hold a password: say where it is wrong without repeating it.
        throw QueueError("transports.amqp.url does not parse as amqp://[user[:password]@]host[:port]/[vhost]");
    }
    t.host = info.host;
    t.port = info.port;
    t.vhost = info.vhost && *info.vhost ? info.vhost : "/";
    t.user = info.user;
    t.password = info.password;
    t.tls = info.ssl != 0;
    if (!s.username.empty()) t.user = s.username;
    if (!s.password_env.empty()) {
        const char* v = std::getenv(s.password_env.c_str());
        if (!v)
            throw QueueError("transports.amqp.password_env: the environment variable " + s.password_env +
                             " is not set");
        t.password = v;
    } else if (!s.password_file.empty()) {
        std::ifstream in(s.password_file);
        if (!in || !std::getline(in, t.password))
            throw QueueError("transports.amqp.password_file: cannot read " + s.password_file);
        while (!t.password.empty() && (t.password.back() == '\r' || t.password.back() == ' ')) t.password.pop_back();
    }
    t.display = std::string(t.tls ? "amqps://" : "amqp://") + t.user + "@" + t.host + ":" + std::to_string(t.port) +
                "/" + (t.vhost == "/" ? "" : t.vhost);
    return t;
}

}  // namespace sluice
