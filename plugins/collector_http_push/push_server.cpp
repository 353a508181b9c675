// SPDX-License-Identifier: AGPL-3.0-or-later
#include "push_server.hpp"

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

#include "push_token.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace sluice::collector_http_push {
namespace {

// Headers beyond this are no report sender's; the answer is 431.
constexpr uint32_t kHeaderLimit = 16 * 1024;
// How long a closing connection keeps reading (and dropping) what the sender still sends, so the
// kernel does not reset the connection and destroy the answer before the sender read it.
constexpr std::chrono::milliseconds kLinger{2000};

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[(c >> 4) & 0xf];
            out += hex[c & 0xf];
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string seconds_text(std::chrono::milliseconds ms) {
    std::string s = std::to_string(static_cast<double>(ms.count()) / 1000.0);
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
    return s;
}

}  // namespace

std::string error_json(std::string_view why) { return R"({"status":"error","error":)" + json_string(why) + "}"; }

struct PushServer::Impl {
    explicit Impl(ServerOptions o) : opt(std::move(o)), acceptor(io) {}
    // Sessions own sockets of io: the ones still waiting for an answer go before io does.
    ~Impl() { ready.clear(); }

    // Plain state first: it outlives io, whose destruction destroys the sessions still waiting.
    ServerOptions opt;
    size_t connections = 0;
    std::map<std::string, size_t> per_client;  // open connections by client address
    size_t writes_in_flight = 0;
    bool accepting = false;
    bool accept_failed = false;  // do not retry a failing accept (no free descriptors) in the same round
    std::vector<Submission> ready;
    std::vector<Notice> notices;
    asio::io_context io{1};
    tcp::acceptor acceptor;

    void listen();
    void accept();
    void notice(bool warning, std::string text, std::string counter = {}) {
        notices.push_back({warning, std::move(text), std::move(counter)});
    }
};

// One connection: reads a request, has it answered, and reads the next while the sender keeps the
// connection alive. Owned by the pending operation's handler, or by a Submission while its
// sender waits for the report to become durable.
class Session : public std::enable_shared_from_this<Session> {
 public:
    Session(tcp::socket socket, PushServer::Impl& server, std::string address, std::string peer)
        : stream_(std::move(socket)), server_(server), address_(std::move(address)), peer_(std::move(peer)) {
        ++server_.connections;
        ++server_.per_client[address_];
    }
    ~Session() {
        --server_.connections;
        if (--server_.per_client[address_] == 0) server_.per_client.erase(address_);
    }

    // One client address holding more than its share: answered 429 and closed, so that a client
    // opening connections without sending anything cannot take every slot from the others.
    void refuse_busy() {
        server_.notice(true,
                       "refused a connection from " + peer_ + ": " +
                           std::to_string(server_.opt.max_connections_per_client) +
                           " connections from that address are open (parameter 'max_connections_per_client')",
                       "connections_refused");
        respond(http::status::too_many_requests, error_json("too many connections from your address"), true);
    }

    void read_request() {
        parser_.emplace();
        parser_->header_limit(kHeaderLimit);
        // No limit while the headers are read: the token is checked before the size, so that a
        // sender without it learns nothing but 401. read_body sets the limit.
        parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
        // Until this connection has shown the token, its headers get the short time-out.
        stream_.expires_after(authenticated_ ? server_.opt.timeout : server_.opt.header_timeout);
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
    }

    // Writes the answer; after it the connection reads the next request, or closes when `close`
    // is set, a body was left unread, or the sender asked for it.
    void respond(http::status status, std::string json, bool close, std::string_view allow = {},
                 bool ask_for_token = false) {
        auto res = std::make_shared<http::response<http::string_body>>(status, 11);
        res->set(http::field::server, "sluice collector_http_push");
        res->set(http::field::content_type, "application/json");
        if (!allow.empty()) res->set(http::field::allow, allow);
        if (ask_for_token) res->set(http::field::www_authenticate, "Bearer realm=\"sluice\"");
        res->body() = std::move(json) + "\n";
        res->keep_alive(keep_alive_ && !close);
        res->prepare_payload();
        stream_.expires_after(server_.opt.timeout);
        ++server_.writes_in_flight;
        http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
            --self->server_.writes_in_flight;
            if (ec) {
                self->close();
            } else if (!res->keep_alive()) {
                self->linger();
            } else {
                self->read_request();
            }
        });
    }

 private:
    void on_header(beast::error_code ec) {
        if (ec) return on_read_error(ec, true);
        const auto& req = parser_->get();
        keep_alive_ = req.keep_alive();
        const std::string_view target = sv(req.target());
        const size_t q = target.find('?');
        const std::string_view path = target.substr(0, q);
        query_ = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
        const bool body_follows = !parser_->is_done();  // an unanswered body means the connection closes

        if (path == "/health") {
            if (req.method() == http::verb::get) return respond(http::status::ok, R"({"status":"ok"})", body_follows);
            return respond(http::status::method_not_allowed, error_json("/health answers GET"), body_follows, "GET");
        }
        if (path != server_.opt.path) {
            server_.notice(false, "answered 404 to " + peer_ + ": no such path", "requests_refused");
            return respond(http::status::not_found,
                           error_json("no such path; reports are POSTed to " + server_.opt.path), body_follows);
        }
        if (req.method() != http::verb::post) {
            server_.notice(false, "answered 405 to " + peer_ + ": method " + std::string(sv(req.method_string())),
                           "requests_refused");
            return respond(http::status::method_not_allowed, error_json("reports are POSTed"), body_follows, "POST");
        }
        const TokenCheck check =
            check_token(sv(req[http::field::authorization]), sv(req["X-Sluice-Token"]), server_.opt.token);
        if (check != TokenCheck::accepted) {
            const std::string why = check == TokenCheck::missing ? "no token" : "wrong token";
            server_.notice(true, "refused a request from " + peer_ + " to " + std::string(path) + ": " + why,
                           "requests_unauthorized");
            return respond(http::status::unauthorized,
                           error_json(why + "; send Authorization: Bearer <token> or X-Sluice-Token: <token>"),
                           body_follows, {}, true);
        }
        authenticated_ = true;
        const std::string_view encoding = sv(req[http::field::content_encoding]);
        if (!encoding.empty() && !beast::iequals(encoding, "identity")) {
            server_.notice(true, "refused a body from " + peer_ + ": Content-Encoding " + std::string(encoding),
                           "requests_refused");
            return respond(http::status::unsupported_media_type,
                           error_json("Content-Encoding is not supported; send the body uncompressed"), body_follows);
        }
        if (const auto length = parser_->content_length(); length && *length > server_.opt.max_body_bytes)
            return refuse_too_large(std::to_string(*length) + " bytes");
        if (!body_follows) {
            server_.notice(true, "refused an empty body from " + peer_, "requests_refused");
            return respond(http::status::bad_request, error_json("the body is empty: POST the report's content"),
                           false);
        }
        if (beast::iequals(sv(req[http::field::expect]), "100-continue")) {
            // curl waits for this before it sends a body over 1 MiB.
            auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
            stream_.expires_after(server_.opt.timeout);
            http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code wec, size_t) {
                if (wec) return self->close();
                self->read_body();
            });
            return;
        }
        read_body();
    }

    void read_body() {
        parser_->body_limit(server_.opt.max_body_bytes);  // found while reading a chunked body
        stream_.expires_after(server_.opt.timeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, size_t) { self->on_body(ec); });
    }

    void on_body(beast::error_code ec) {
        if (ec == http::error::body_limit) return refuse_too_large("a chunked body");
        if (ec) return on_read_error(ec, false);
        std::string& body = parser_->get().body();
        if (body.empty()) {
            return respond(http::status::bad_request, error_json("the body is empty: POST the report's content"),
                           false);
        }
        // The sender now waits, without a time-out of ours, until the report is durable.
        stream_.expires_never();
        server_.ready.push_back(Submission{std::move(body), std::move(query_), peer_, shared_from_this()});
    }

    void refuse_too_large(const std::string& what) {
        server_.notice(true,
                       "refused " + what + " from " + peer_ +
                           ": larger than max_body_bytes = " + std::to_string(server_.opt.max_body_bytes),
                       "requests_too_large");
        respond(http::status::payload_too_large,
                error_json("the body is larger than " + std::to_string(server_.opt.max_body_bytes) + " bytes"), true);
    }

    void on_read_error(beast::error_code ec, bool in_header) {
        if (ec == http::error::end_of_stream && in_header) return close();  // the sender is done
        if (ec == beast::error::timeout) {
            if (in_header && buffer_.size() == 0) {
                server_.notice(false, "closed the idle connection from " + peer_);
            } else {
                server_.notice(true,
                               "closed the connection from " + peer_ + ": its request did not arrive within " +
                                   seconds_text(server_.opt.timeout) + " s (parameter 'timeout')",
                               "requests_timed_out");
            }
            return close();
        }
        if (ec == http::error::header_limit) {
            server_.notice(true, "refused a request from " + peer_ + ": headers over 16 KiB", "requests_refused");
            return respond(http::status::request_header_fields_too_large, error_json("headers over 16 KiB"), true);
        }
        if (ec.category() == beast::error_code(http::error::bad_method).category() &&
            ec != http::error::partial_message) {
            server_.notice(true, "refused a malformed request from " + peer_ + ": " + ec.message(), "requests_refused");
            return respond(http::status::bad_request, error_json("malformed request: " + ec.message()), true);
        }
        server_.notice(false, "connection from " + peer_ + " ended inside a request: " + ec.message());
        close();
    }

    // Reads and drops what the sender still sends for a short while, then closes.
    void linger() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.expires_after(std::min<std::chrono::milliseconds>(kLinger, server_.opt.timeout));
        drain();
    }
    void drain() {
        stream_.async_read_some(asio::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, size_t) {
            if (ec) return self->close();
            self->drain();
        });
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

    beast::tcp_stream stream_;
    PushServer::Impl& server_;
    std::string address_;  // the client's address, its key in per_client
    std::string peer_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::string query_;
    bool keep_alive_ = false;
    bool authenticated_ = false;  // a request on this connection showed the right token
    std::array<char, 4096> scratch_{};
};

void PushServer::Impl::listen() {
    const std::string where = opt.ip + ":" + std::to_string(opt.port);
    beast::error_code ec;
    const auto address = asio::ip::make_address(opt.ip, ec);
    if (ec) throw std::runtime_error("cannot listen on " + where + ": '" + opt.ip + "' is not an IP address");
    const tcp::endpoint endpoint(address, static_cast<uint16_t>(opt.port));
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
}

void PushServer::Impl::accept() {
    if (accepting || accept_failed || connections >= opt.max_connections) return;
    accepting = true;
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
        accepting = false;
        if (ec) {
            if (ec != asio::error::operation_aborted) notice(true, "cannot accept a connection: " + ec.message());
            accept_failed = true;
            return;
        }
        beast::error_code ignored;
        const auto remote = socket.remote_endpoint(ignored);
        std::string address = remote.address().to_string();
        std::string peer = address + ":" + std::to_string(remote.port());
        const bool busy = per_client[address] >= opt.max_connections_per_client;
        auto session = std::make_shared<Session>(std::move(socket), *this, std::move(address), std::move(peer));
        if (busy)
            session->refuse_busy();
        else
            session->read_request();
        accept();
    });
}

PushServer::PushServer(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) { impl_->listen(); }

PushServer::~PushServer() = default;

std::vector<Submission> PushServer::receive(std::chrono::milliseconds wait, size_t limit,
                                            const std::function<bool()>& should_stop) {
    Impl& s = *impl_;
    s.accept_failed = false;
    s.accept();
    const auto deadline = Clock::now() + wait;
    while (s.ready.size() < limit) {
        if (s.io.stopped()) s.io.restart();
        // Wait (in slices, to notice a stop) only while nothing is complete; then take what is ready.
        const auto now = Clock::now();
        size_t ran = 0;
        if (s.ready.empty() && now < deadline) {
            ran = s.io.run_one_for(std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(100)));
            // Out of work (every slot taken, nothing pending): wait instead of spinning.
            if (ran == 0 && s.io.stopped()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        } else {
            ran = s.io.poll_one();
        }
        if (should_stop && should_stop()) break;
        if (ran == 0 && (!s.ready.empty() || Clock::now() >= deadline)) break;
    }
    std::vector<Submission> out;
    const size_t n = std::min(limit, s.ready.size());
    std::move(s.ready.begin(), s.ready.begin() + static_cast<std::ptrdiff_t>(n), std::back_inserter(out));
    s.ready.erase(s.ready.begin(), s.ready.begin() + static_cast<std::ptrdiff_t>(n));
    return out;
}

void PushServer::answer(const Submission& submission, int status, std::string json_body) {
    if (submission.session) submission.session->respond(static_cast<http::status>(status), std::move(json_body), false);
}

void PushServer::send_answers(std::chrono::milliseconds at_most) {
    Impl& s = *impl_;
    const auto until = Clock::now() + at_most;
    while (s.writes_in_flight > 0) {
        if (s.io.stopped()) s.io.restart();
        const auto now = Clock::now();
        if (now >= until) break;
        s.io.run_one_for(until - now);
    }
}

std::vector<Notice> PushServer::take_notices() { return std::exchange(impl_->notices, {}); }

std::string PushServer::url() const {
    const auto& o = impl_->opt;
    const bool v6 = o.ip.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + o.ip + "]" : o.ip) + ":" + std::to_string(o.port) + o.path;
}

}  // namespace sluice::collector_http_push
