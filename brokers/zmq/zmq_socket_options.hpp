// SPDX-License-Identifier: AGPL-3.0-or-later
// Socket options both ends of a Sluice ZeroMQ edge set: no lingering on close (unacknowledged
// batches are the sender's business, not ZeroMQ's) and heartbeats, so a peer that vanished without
// closing its TCP connection (machine off, cable out) is noticed and the sender reconnects.
#pragma once

#include <zmq.hpp>

#include <cerrno>
#include <chrono>
#include <memory>
#include <mutex>

namespace sluice {

inline constexpr int kSocketBufferBytes = 4 << 20;

// One ZeroMQ context, so one I/O thread, for all the edges of a process: a host's input and
// outputs then share it instead of each waking its own thread. It goes with the last edge.
inline std::shared_ptr<zmq::context_t> shared_context() {
    static std::mutex mutex;
    static std::weak_ptr<zmq::context_t> shared;
    const std::lock_guard lock(mutex);
    std::shared_ptr<zmq::context_t> context = shared.lock();
    if (!context) {
        context = std::make_shared<zmq::context_t>(1);
        shared = context;
    }
    return context;
}

// zmq_poll that treats a signal as "nothing yet". The host's SIGTERM and SIGHUP interrupt a poll
// with EINTR whatever SA_RESTART says, and cppzmq throws on it; the host looks at its stop and
// reload flags after every call anyway, so the interruption is not an error.
inline int poll_or_interrupted(zmq::pollitem_t* items, size_t count, std::chrono::milliseconds timeout) {
    const int rc = zmq_poll(items, static_cast<int>(count), static_cast<long>(timeout.count()));
    if (rc >= 0) return rc;
    if (zmq_errno() != EINTR) throw zmq::error_t();
    for (size_t i = 0; i < count; ++i) items[i].revents = 0;
    return 0;
}

inline void set_common_options(zmq::socket_t& s, std::chrono::milliseconds heartbeat) {
    s.set(zmq::sockopt::linger, 0);
    s.set(zmq::sockopt::heartbeat_ivl, static_cast<int>(heartbeat.count()));
    s.set(zmq::sockopt::heartbeat_timeout, static_cast<int>(heartbeat.count() * 5));
    s.set(zmq::sockopt::heartbeat_ttl, static_cast<int>(heartbeat.count() * 5));
    // Hosts start in any order, so a sender's first connect often finds no receiver yet. ZeroMQ
    // doubles the interval after each failure (with jitter): starting at 10 ms instead of 100 ms,
    // a chain on one machine starts flowing about 0.2 s sooner, and a peer that stays away is
    // still tried only every 2 s.
    s.set(zmq::sockopt::reconnect_ivl, 10);
    s.set(zmq::sockopt::reconnect_ivl_max, 2000);
    // A batch is a few hundred kilobytes: kernel socket buffers that hold one whole cut the
    // send/receive calls and wake-ups per batch (the kernel caps this at net.core.[rw]mem_max).
    s.set(zmq::sockopt::sndbuf, kSocketBufferBytes);
    s.set(zmq::sockopt::rcvbuf, kSocketBufferBytes);
}

}  // namespace sluice
