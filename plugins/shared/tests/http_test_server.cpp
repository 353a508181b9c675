// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http_test_server.hpp"

#include <zlib.h>

#include <stdlib.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace sluice::test {

std::string RecordedRequest::header(const std::string& name) const {
    for (const auto& [k, v] : headers)
        if (k == name) return v;
    return {};
}

bool RecordedRequest::has_header(const std::string& name) const {
    return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return h.first == name; });
}

struct HttpTestServer::Impl {
    explicit Impl(Handler h)
        : handler(std::move(h)), acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}

    Handler handler;
    asio::io_context io;
    tcp::acceptor acceptor;
    mutable std::mutex mutex;
    std::vector<RecordedRequest> received;
    std::thread thread;

    void accept();
};

namespace {

// One connection: read a request, answer it, and again while the client keeps it alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
    Session(tcp::socket socket, HttpTestServer::Impl& server)
        : stream_(std::move(socket)), timer_(stream_.get_executor()), server_(server) {}

    void read() {
        parser_.emplace();
        parser_->body_limit(256u << 20);
        http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
            if (!ec) self->handle();
        });
    }

 private:
    void handle() {
        const auto& req = parser_->get();
        RecordedRequest rec;
        rec.method = std::string(req.method_string());
        rec.target = std::string(req.target());
        for (const auto& field : req) {
            std::string name(field.name_string());
            std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
            rec.headers.emplace_back(std::move(name), std::string(field.value()));
        }
        rec.body = req.body();
        {
            std::lock_guard lock(server_.mutex);
            rec.index = server_.received.size();
            server_.received.push_back(rec);
        }
        CannedResponse canned;
        try {
            canned = server_.handler(rec);
        } catch (const std::exception& e) {
            canned = CannedResponse::text(500, std::string("test handler threw: ") + e.what());
        }
        keep_alive_ = req.keep_alive();
        if (canned.drop) {
            beast::error_code ec;
            stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
            stream_.socket().close(ec);
            return;
        }
        response_ = std::make_unique<http::response<http::string_body>>(static_cast<http::status>(canned.status), 11);
        response_->set(http::field::server, "sluice-test");
        bool has_type = false;
        for (const auto& [k, v] : canned.headers) {
            response_->set(k, v);
            if (beast::iequals(k, "content-type")) has_type = true;
        }
        if (!has_type) response_->set(http::field::content_type, "text/plain");
        response_->body() = std::move(canned.body);
        response_->keep_alive(keep_alive_);
        response_->prepare_payload();
        if (canned.delay.count() > 0) {
            timer_.expires_after(canned.delay);
            timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
                if (!ec) self->write();
            });
        } else {
            write();
        }
    }

    void write() {
        http::async_write(stream_, *response_, [self = shared_from_this()](beast::error_code ec, size_t) {
            if (ec) return;
            if (self->keep_alive_) {
                self->read();
            } else {
                beast::error_code ignored;
                self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
            }
        });
    }

    beast::tcp_stream stream_;
    asio::steady_timer timer_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::unique_ptr<http::response<http::string_body>> response_;
    bool keep_alive_ = false;
    HttpTestServer::Impl& server_;
};

}  // namespace

void HttpTestServer::Impl::accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
        if (ec) return;
        std::make_shared<Session>(std::move(socket), *this)->read();
        accept();
    });
}

HttpTestServer::HttpTestServer(Handler handler) : impl_(std::make_unique<Impl>(std::move(handler))) {
    bypass_proxies_for_loopback();
    impl_->accept();
    impl_->thread = std::thread([this] { impl_->io.run(); });
}

HttpTestServer::~HttpTestServer() {
    impl_->io.stop();
    impl_->thread.join();
}

uint16_t HttpTestServer::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string HttpTestServer::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + path;
}

std::vector<RecordedRequest> HttpTestServer::requests() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->received;
}

size_t HttpTestServer::request_count() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->received.size();
}

void bypass_proxies_for_loopback() {
    // libcurl honours http_proxy/https_proxy from the environment, and no_proxy over both.
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);
}

std::string gzip(const std::string& data) {
    z_stream z{};
    if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    std::string out(deflateBound(&z, data.size()) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int r = deflate(&z, Z_FINISH);
    deflateEnd(&z);
    if (r != Z_STREAM_END) throw std::runtime_error("deflate failed");
    out.resize(z.total_out);
    return out;
}

}  // namespace sluice::test
