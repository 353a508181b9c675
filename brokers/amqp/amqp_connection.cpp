// SPDX-License-Identifier: AGPL-3.0-or-later
#include "amqp_connection.hpp"

#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <sys/time.h>

#include <cmath>

#include "amqp_credentials.hpp"

namespace sluice {
namespace {

std::string bytes(const amqp_bytes_t& b) { return std::string(static_cast<const char*>(b.bytes), b.len); }

// What the server said when it closed the channel or the connection.
std::string server_reply(const amqp_rpc_reply_t& r) {
    if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        auto* m = static_cast<amqp_connection_close_t*>(r.reply.decoded);
        return "connection closed by the broker: " + std::to_string(m->reply_code) + " " + bytes(m->reply_text);
    }
    if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        auto* m = static_cast<amqp_channel_close_t*>(r.reply.decoded);
        return "channel closed by the broker: " + std::to_string(m->reply_code) + " " + bytes(m->reply_text);
    }
    return "unexpected reply from the broker";
}

}  // namespace

AmqpConnection::AmqpConnection(const AmqpSettings& settings) {
    const AmqpTarget target = resolve_amqp_target(settings);
    display_ = target.display;
    state_ = amqp_new_connection();
    if (!state_) throw QueueError("amqp " + display_ + ": out of memory");
    amqp_socket_t* socket = nullptr;
    if (target.tls) {
        socket = amqp_ssl_socket_new(state_);
        if (!socket) throw QueueError("amqp " + display_ + ": cannot create a TLS socket");
        amqp_ssl_socket_set_verify_peer(socket, settings.verify_peer ? 1 : 0);
        amqp_ssl_socket_set_verify_hostname(socket, settings.verify_hostname ? 1 : 0);
        if (!settings.ca_cert.empty() && amqp_ssl_socket_set_cacert(socket, settings.ca_cert.c_str()) != AMQP_STATUS_OK)
            throw QueueError("amqp " + display_ + ": cannot read ca_cert " + settings.ca_cert);
        if (!settings.client_cert.empty() && amqp_ssl_socket_set_key(socket, settings.client_cert.c_str(),
                                                                     settings.client_key.c_str()) != AMQP_STATUS_OK)
            throw QueueError("amqp " + display_ + ": cannot read client_cert/client_key " + settings.client_cert);
    } else {
        socket = amqp_tcp_socket_new(state_);
        if (!socket) throw QueueError("amqp " + display_ + ": cannot create a socket");
    }
    timeval timeout{};
    timeout.tv_sec = static_cast<time_t>(settings.connect_timeout);
    timeout.tv_usec = static_cast<suseconds_t>(std::fmod(settings.connect_timeout, 1.0) * 1e6);
    check_status(amqp_socket_open_noblock(socket, target.host.c_str(), target.port, &timeout), "connect");
    check(amqp_login(state_, target.vhost.c_str(), 0, 131072, static_cast<int>(settings.heartbeat),
                     AMQP_SASL_METHOD_PLAIN, target.user.c_str(), target.password.c_str()),
          "login");
    amqp_channel_open(state_, 1);
    check(amqp_get_rpc_reply(state_), "channel.open");
    channel_open_ = true;
}

AmqpConnection::~AmqpConnection() {
    if (!state_) return;
    // Closing politely may fail on a dead socket; destroying the state frees everything anyway.
    // After the broker closed the connection there is nobody to answer (a polite close would wait
    // its whole RPC time-out): only the state goes.
    if (channel_open_ && !closed_by_broker_) (void)amqp_channel_close(state_, 1, AMQP_REPLY_SUCCESS);
    if (!closed_by_broker_) (void)amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(state_);
}

void AmqpConnection::note_closed_by_broker(const amqp_rpc_reply_t& r) const {
    if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        channel_open_ = false;
        amqp_channel_close_ok_t ok{};
        (void)amqp_send_method(state_, 1, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
    } else if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        closed_by_broker_ = true;
        amqp_connection_close_ok_t ok{};
        (void)amqp_send_method(state_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
    }
}

void AmqpConnection::check_status(int status, const std::string& what) const {
    if (status < 0) throw QueueError("amqp " + display_ + ": " + what + ": " + amqp_error_string2(status));
}

void AmqpConnection::check(const amqp_rpc_reply_t& r, const std::string& what) const {
    switch (r.reply_type) {
        case AMQP_RESPONSE_NORMAL:
            return;
        case AMQP_RESPONSE_NONE:
            throw QueueError("amqp " + display_ + ": " + what + ": no reply");
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            // "unexpected protocol state" means a frame came that the call did not wait for: the
            // broker closing the connection or channel (a forced close, a password changed). Read
            // it, and say what the broker said instead.
            if (r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
                amqp_frame_t frame;
                timeval now{0, 0};
                if (amqp_simple_wait_frame_noblock(state_, &frame, &now) == AMQP_STATUS_OK &&
                    frame.frame_type == AMQP_FRAME_METHOD &&
                    (frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD ||
                     frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD)) {
                    amqp_rpc_reply_t closed{};
                    closed.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
                    closed.reply = frame.payload.method;
                    note_closed_by_broker(closed);
                    throw QueueError("amqp " + display_ + ": " + what + ": " + server_reply(closed));
                }
            }
            throw QueueError("amqp " + display_ + ": " + what + ": " + amqp_error_string2(r.library_error));
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            note_closed_by_broker(r);
            throw QueueError("amqp " + display_ + ": " + what + ": " + server_reply(r));
    }
    throw QueueError("amqp " + display_ + ": " + what + ": unknown reply");
}

int64_t AmqpConnection::declare_queue(const std::string& queue, const std::string& type, bool passive) {
    amqp_table_entry_t entry;
    entry.key = amqp_cstring_bytes("x-queue-type");
    entry.value.kind = AMQP_FIELD_KIND_UTF8;
    entry.value.value.bytes = amqp_cstring_bytes(type.c_str());
    amqp_table_t args{passive ? 0 : 1, &entry};
    auto* ok = amqp_queue_declare(state_, 1, amqp_cstring_bytes(queue.c_str()), passive ? 1 : 0, /*durable*/ 1,
                                  /*exclusive*/ 0, /*auto_delete*/ 0, args);
    const amqp_rpc_reply_t r = amqp_get_rpc_reply(state_);
    if (passive && r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION && r.reply.id == AMQP_CHANNEL_CLOSE_METHOD &&
        static_cast<amqp_channel_close_t*>(r.reply.decoded)->reply_code == 404) {
        channel_open_ = false;
        return -1;
    }
    check(r, "queue.declare " + queue);
    return ok ? static_cast<int64_t>(ok->message_count) : 0;
}

}  // namespace sluice
