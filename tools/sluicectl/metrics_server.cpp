// SPDX-License-Identifier: AGPL-3.0-or-later
#include "metrics_server.hpp"

#include <fcntl.h>

#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <iostream>
#include <thread>

#include "check.hpp"
#include "metrics_text.hpp"
#include "transport_factory.hpp"

namespace sluice::ctl {
namespace {

void close_on_exec(int fd) {
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr const char* kDefaultListen = "127.0.0.1:9120";

// Runs `f` with every signal blocked, so a thread it starts never takes the process' signals.
template <class F>
void with_signals_blocked(F&& f) {
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    try {
        f();
    } catch (...) {
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
        throw;
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

}  // namespace

struct MetricsServer::Impl {
    asio::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    asio::steady_timer retry{ioc};
    Config cfg;
    std::unique_ptr<TransportFactory> transports = make_transport_factory();
    std::thread thread;

    http::response<http::string_body> answer(const http::request<http::string_body>& req) {
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::server, "sluicectl");
        res.keep_alive(false);
        const std::string_view target(req.target().data(), req.target().size());
        const std::string_view path = target.substr(0, target.find('?'));
        if (req.method() != http::verb::get && req.method() != http::verb::head) {
            res.result(http::status::method_not_allowed);
            res.set(http::field::allow, "GET, HEAD");
            res.body() = "GET only\n";
        } else if (path == "/metrics") {
            res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
            res.body() = render_metrics(cfg, *transports);
        } else if (path == "/health") {
            const Health h = check_health(cfg);
            res.result(h.ok() ? http::status::ok : http::status::service_unavailable);
            res.set(http::field::content_type, "application/json");
            res.body() = h.json() + "\n";
        } else {
            res.result(http::status::not_found);
            res.set(http::field::content_type, "text/plain");
            res.body() = "Sluice metrics: /metrics (Prometheus), /health\n";
        }
        res.prepare_payload();
        if (req.method() == http::verb::head) res.body().clear();
        return res;
    }

    void accept() {
        acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
            if (ec) {
                // Out of descriptors (EMFILE) or the like: looking again at once would spin on the
                // same error; a pause lets sessions end and give theirs back.
                retry.expires_after(std::chrono::milliseconds(100));
                retry.async_wait([this](beast::error_code wait_ec) {
                    if (!wait_ec) accept();
                });
                return;
            }
            close_on_exec(socket.native_handle());
            std::make_shared<Session>(std::move(socket), *this)->start();
            accept();
        });
    }

    // One request per connection, with a deadline so a silent client cannot hold it open.
    struct Session : std::enable_shared_from_this<Session> {
        Session(tcp::socket s, Impl& owner) : stream(std::move(s)), server(owner) {}
        beast::tcp_stream stream;
        Impl& server;
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
        http::response<http::string_body> response;

        void start() {
            stream.expires_after(std::chrono::seconds(10));
            http::async_read(stream, buffer, request, [self = shared_from_this()](beast::error_code ec, size_t) {
                if (ec) return;
                self->response = self->server.answer(self->request);
                http::async_write(self->stream, self->response, [self](beast::error_code, size_t) {
                    beast::error_code ignored;
                    self->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
                });
            });
        }
    };
};

MetricsServer::MetricsServer(Config cfg, const std::string& listen) : impl_(std::make_unique<Impl>()) {
    impl_->cfg = std::move(cfg);
    const size_t colon = listen.rfind(':');
    if (colon == std::string::npos)
        throw std::runtime_error("metrics listen address '" + listen + "' must be \"address:port\"");
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty() || host == "*") host = "0.0.0.0";
    try {
        tcp::resolver resolver(impl_->ioc);
        const auto endpoint = resolver.resolve(host, listen.substr(colon + 1))->endpoint();
        impl_->acceptor.open(endpoint.protocol());
        // `sluicectl up` starts the hosts from this process: without this every host would hold
        // the port, and keep it after `up` is gone.
        close_on_exec(impl_->acceptor.native_handle());
        impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
        impl_->acceptor.bind(endpoint);
        impl_->acceptor.listen();
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("cannot listen on " + listen + " for /metrics: " + e.code().message());
    }
    impl_->accept();
    with_signals_blocked([&] { impl_->thread = std::thread([this] { impl_->ioc.run(); }); });
}

MetricsServer::~MetricsServer() {
    impl_->ioc.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

std::string MetricsServer::url() const {
    const auto ep = impl_->acceptor.local_endpoint();
    const std::string addr = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
    return "http://" + addr + ":" + std::to_string(ep.port());
}

int run_metrics(const std::string& config, std::string listen) {
    Config cfg = load_or_throw(config);
    if (listen.empty()) listen = cfg.metrics_listen.empty() ? kDefaultListen : cfg.metrics_listen;
    // SIGINT and SIGTERM are taken by sigwait below, not by a handler: block them first.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    MetricsServer server(std::move(cfg), listen);
    std::cout << "serving " << server.url() << "/metrics and " << server.url() << "/health" << std::endl;
    int sig = 0;
    sigwait(&stop, &sig);
    return 0;
}

int run_health(const std::string& config, bool json) {
    const Health h = check_health(load_or_throw(config));
    if (json) {
        std::cout << h.json() << "\n";
    } else if (h.ok()) {
        std::cout << "ok: " << h.up.size() << " bot" << (h.up.size() == 1 ? "" : "s") << " running\n";
    } else {
        const auto line = [](const char* what, const std::vector<std::string>& bots) {
            if (bots.empty()) return;
            std::cout << what << ":";
            for (const auto& b : bots) std::cout << " " << b;
            std::cout << "\n";
        };
        line("down", h.down);
        line("disk full", h.disk_full);
        line("broker error", h.broker_error);
        line("stuck", h.stuck);
    }
    return h.ok() ? 0 : 1;
}

}  // namespace sluice::ctl
