// SPDX-License-Identifier: AGPL-3.0-or-later
// collector_http through the real host code (BotHarness) against a local HTTP server that records
// every request it gets (plugins/shared/tests/http_test_server.hpp).
#include <archive.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <archive_entry.h>
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <sluice/bot.h>
#include <sluice/codec.hpp>
#include <sluice/core/bot_harness.hpp>

#include <atomic>
#include <chrono>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "http_test_server.hpp"
#include "test_support.hpp"

using sluice::BotHarness;
using sluice::HarnessResult;
using sluice::test::CannedResponse;
using sluice::test::HttpTestServer;
using sluice::test::RecordedRequest;
using sluice::test::TempDir;

namespace {

std::string field(const std::string& json, const char* key) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE_MESSAGE(d.IsObject(), json);
    if (!d.HasMember(key)) return {};
    const rapidjson::Value& v = d[key];
    if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
    if (v.IsNumber()) return std::to_string(v.GetDouble());
    return "?";
}

std::string raw_of(const std::string& json) { return sluice::base64::decode(field(json, "raw")); }

std::string all_failures(const HarnessResult& r) {
    std::string out;
    for (const auto& f : r.failed) out += f.reason + "\n";
    return out;
}

// An archive in memory: `format` "zip" or "tar", optionally gzip-compressed.
std::string make_archive(const std::string& format, bool gzip_filter,
                         const std::vector<std::pair<std::string, std::string>>& files) {
    archive* a = archive_write_new();
    if (format == "zip")
        archive_write_set_format_zip(a);
    else
        archive_write_set_format_pax_restricted(a);
    if (gzip_filter) archive_write_add_filter_gzip(a);
    std::string out(1 << 20, '\0');
    size_t used = 0;
    REQUIRE(archive_write_open_memory(a, out.data(), out.size(), &used) == ARCHIVE_OK);
    for (const auto& [name, content] : files) {
        archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, name.c_str());
        archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        REQUIRE(archive_write_header(a, e) == ARCHIVE_OK);
        REQUIRE(archive_write_data(a, content.data(), content.size()) == static_cast<la_ssize_t>(content.size()));
        archive_entry_free(e);
    }
    REQUIRE(archive_write_close(a) == ARCHIVE_OK);
    archive_write_free(a);
    out.resize(used);
    return out;
}

bool can_connect(uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

CannedResponse ok(std::string body) { return CannedResponse::text(200, std::move(body)); }

// Parameters with fast retries, so the tests do not sleep for seconds.
std::string params(const std::string& url, const std::string& more = "") {
    return R"({"http_url": ")" + url + R"(", "http_retry_delay_sec": 0.05, "name": "Test Feed", "provider": "Tests")" +
           (more.empty() ? "" : ", " + more) + "}";
}

}  // namespace

TEST_CASE("collector_http sends the downloaded document as one report with feed.url and raw") {
    HttpTestServer server([](const RecordedRequest&) { return ok("192.0.2.1\n192.0.2.2\n"); });
    BotHarness bot("collector_http", params(server.url("/feeds/list.txt?format=plain")));
    const HarnessResult r = bot.collect();

    CHECK_MESSAGE(r.failed.empty(), all_failures(r));
    const auto& sent = r.on("_default");
    REQUIRE(sent.size() == 1);
    CHECK(field(sent[0], "__type") == "Report");
    CHECK(raw_of(sent[0]) == "192.0.2.1\n192.0.2.2\n");
    CHECK(field(sent[0], "feed.url") == server.url("/feeds/list.txt?format=plain"));
    CHECK(field(sent[0], "feed.name") == "Test Feed");
    CHECK(field(sent[0], "feed.provider") == "Tests");
    CHECK(field(sent[0], "extra.file_name").empty());
    CHECK_FALSE(field(sent[0], "time.observation").empty());

    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "GET");
    CHECK(requests[0].target == "/feeds/list.txt?format=plain");
    CHECK(requests[0].header("user-agent") == "Sluice/0.1 (libcurl)");
    CHECK_FALSE(requests[0].has_header("authorization"));
}

TEST_CASE("collector_http sends basic auth, a bearer token and custom headers") {
    HttpTestServer server([](const RecordedRequest&) { return ok("data\n"); });
    SUBCASE("basic auth and http_header") {
        BotHarness bot("collector_http",
                       params(server.url("/f"), R"("http_username": "alice", "http_password": "s3cret",)"
                                                R"( "http_header": {"X-Api-Key": "k-123", "Accept": "text/csv"},)"
                                                R"( "http_user_agent": "feed-fetcher/2")"));
        REQUIRE(bot.collect().on("_default").size() == 1);
        const RecordedRequest req = server.requests().at(0);
        CHECK(req.header("authorization") == "Basic " + sluice::base64::encode("alice:s3cret"));
        CHECK(req.header("x-api-key") == "k-123");
        CHECK(req.header("accept") == "text/csv");
        CHECK(req.header("user-agent") == "feed-fetcher/2");
    }
    SUBCASE("bearer token") {
        BotHarness bot("collector_http", params(server.url("/f"), R"("http_bearer_token": "tok-xyz")"));
        REQUIRE(bot.collect().on("_default").size() == 1);
        CHECK(server.requests().at(0).header("authorization") == "Bearer tok-xyz");
    }
}

TEST_CASE("collector_http follows redirects, but only to http and https") {
    HttpTestServer server([](const RecordedRequest& req) {
        if (req.target == "/old") return CannedResponse::text(301, "").with_header("Location", "/new");
        if (req.target == "/sneaky") return CannedResponse::text(302, "").with_header("Location", "file:///etc/passwd");
        return ok("new place\n");
    });
    SUBCASE("to another http URL: followed, feed.url stays the configured one") {
        BotHarness bot("collector_http", params(server.url("/old")));
        const auto sent = bot.collect().on("_default");
        REQUIRE(sent.size() == 1);
        CHECK(raw_of(sent[0]) == "new place\n");
        CHECK(field(sent[0], "feed.url") == server.url("/old"));
        CHECK(server.request_count() == 2);
    }
    SUBCASE("to file://: refused, no report") {
        BotHarness bot("collector_http", params(server.url("/sneaky")));
        const HarnessResult r = bot.collect();
        CHECK(r.on("_default").empty());
        CHECK(all_failures(r).find(server.url("/sneaky")) != std::string::npos);
    }
}

TEST_CASE("collector_http goes through http_proxy for http URLs") {
    // The test server plays the proxy: a proxied request carries the whole URL as its target.
    HttpTestServer proxy([](const RecordedRequest&) { return ok("via proxy\n"); });
    BotHarness bot("collector_http",
                   params("http://feeds.example.invalid/list.txt", R"("http_proxy": ")" + proxy.url("") + "\""));
    const auto sent = bot.collect().on("_default");
    REQUIRE(sent.size() == 1);
    CHECK(raw_of(sent[0]) == "via proxy\n");
    CHECK(field(sent[0], "feed.url") == "http://feeds.example.invalid/list.txt");
    const RecordedRequest req = proxy.requests().at(0);
    CHECK(req.target == "http://feeds.example.invalid/list.txt");
    CHECK(req.header("host") == "feeds.example.invalid");
}

TEST_CASE("collector_http unpacks gzip, tar.gz and zip documents into one report per file") {
    const std::string tgz = make_archive("tar", true, {{"a.csv", "1,a\n"}, {"dir/b.csv", "2,b\n"}, {"c.txt", "3\n"}});
    const std::string zip = make_archive("zip", false, {{"x.csv", "x\n"}, {"y.csv", "y\n"}});
    HttpTestServer server([&](const RecordedRequest& req) {
        if (req.target == "/list.gz") return ok(sluice::test::gzip("192.0.2.9\n"));
        if (req.target == "/all.tar.gz") return ok(tgz);
        if (req.target == "/all.zip") return ok(zip);
        if (req.target == "/plain") return ok("not compressed\n");
        return CannedResponse::text(404, "no such feed");
    });

    SUBCASE("a gzip-compressed file: one report, no file name") {
        BotHarness bot("collector_http", params(server.url("/list.gz"), R"("extract_files": true)"));
        const auto sent = bot.collect().on("_default");
        REQUIRE(sent.size() == 1);
        CHECK(raw_of(sent[0]) == "192.0.2.9\n");
        CHECK(field(sent[0], "extra.file_name").empty());
    }
    SUBCASE("a gzip-compressed tar archive: one report per file, named") {
        BotHarness bot("collector_http", params(server.url("/all.tar.gz"), R"("extract_files": true)"));
        const auto sent = bot.collect().on("_default");
        REQUIRE(sent.size() == 3);
        CHECK(field(sent[0], "extra.file_name") == "a.csv");
        CHECK(raw_of(sent[0]) == "1,a\n");
        CHECK(field(sent[1], "extra.file_name") == "dir/b.csv");
        CHECK(raw_of(sent[1]) == "2,b\n");
        CHECK(field(sent[2], "feed.url") == server.url("/all.tar.gz"));
    }
    SUBCASE("only the files named in extract_files, as a list or a comma-separated string") {
        BotHarness list("collector_http", params(server.url("/all.tar.gz"), R"("extract_files": ["c.txt", "a.csv"])"));
        const auto sent = list.collect().on("_default");
        REQUIRE(sent.size() == 2);
        CHECK(field(sent[0], "extra.file_name") == "a.csv");
        CHECK(field(sent[1], "extra.file_name") == "c.txt");
        BotHarness text("collector_http", params(server.url("/all.tar.gz"), R"("extract_files": "dir/b.csv")"));
        const auto one = text.collect().on("_default");
        REQUIRE(one.size() == 1);
        CHECK(raw_of(one[0]) == "2,b\n");
    }
    SUBCASE("a zip archive is unpacked even without extract_files, as IntelMQ does") {
        BotHarness bot("collector_http", params(server.url("/all.zip")));
        const auto sent = bot.collect().on("_default");
        REQUIRE(sent.size() == 2);
        CHECK(field(sent[0], "extra.file_name") == "x.csv");
        CHECK(raw_of(sent[1]) == "y\n");
    }
    SUBCASE("a gzip file without extract_files is sent as downloaded") {
        BotHarness bot("collector_http", params(server.url("/list.gz")));
        const auto sent = bot.collect().on("_default");
        REQUIRE(sent.size() == 1);
        CHECK(raw_of(sent[0]) == sluice::test::gzip("192.0.2.9\n"));
    }
    SUBCASE("extract_files with a document that is no archive: an error and no report") {
        BotHarness bot("collector_http", params(server.url("/plain"), R"("extract_files": true)"));
        const HarnessResult r = bot.collect();
        CHECK(r.on("_default").empty());
        CHECK(all_failures(r).find("neither a zip nor a tar archive") != std::string::npos);
    }
}

TEST_CASE("collector_http reports a 404 with its status and body and sends no report") {
    HttpTestServer server(
        [](const RecordedRequest&) { return CannedResponse::text(404, "feed moved to /v2/list.txt"); });
    BotHarness bot("collector_http", params(server.url("/v1/list.txt")));
    const HarnessResult r = bot.collect();
    CHECK(r.on("_default").empty());
    REQUIRE(r.failed.size() == 1);
    const std::string why = r.failed[0].reason;
    CHECK(why.find("HTTP 404 (Not Found)") != std::string::npos);
    CHECK(why.find(server.url("/v1/list.txt")) != std::string::npos);
    CHECK(why.find("feed moved to /v2/list.txt") != std::string::npos);
    CHECK(r.statuses == std::vector<uint32_t>{SLUICE_RETRY});
    CHECK(server.request_count() == 1);  // a 404 is not retried
}

TEST_CASE("collector_http retries dropped connections, 503 answers and time-outs") {
    SUBCASE("two dropped connections, then an answer: one report after three requests") {
        HttpTestServer server([](const RecordedRequest& req) {
            if (req.index < 2) return CannedResponse::dropped();
            return ok("third time lucky\n");
        });
        BotHarness bot("collector_http", params(server.url("/f"), R"("http_timeout_max_tries": 3)"));
        const HarnessResult r = bot.collect();
        CHECK_MESSAGE(r.failed.empty(), all_failures(r));
        REQUIRE(r.on("_default").size() == 1);
        CHECK(raw_of(r.on("_default")[0]) == "third time lucky\n");
        CHECK(server.request_count() == 3);
    }
    SUBCASE("a 503 with Retry-After: 0, then an answer") {
        HttpTestServer server([](const RecordedRequest& req) {
            if (req.index == 0) return CannedResponse::text(503, "busy").with_header("Retry-After", "0");
            return ok("later\n");
        });
        BotHarness bot("collector_http", params(server.url("/f")));
        CHECK(bot.collect().on("_default").size() == 1);
        CHECK(server.request_count() == 2);
    }
    SUBCASE("every attempt dropped: an error naming the attempts, no report") {
        HttpTestServer server([](const RecordedRequest&) { return CannedResponse::dropped(); });
        BotHarness bot("collector_http", params(server.url("/f"), R"("http_timeout_max_tries": 2)"));
        const HarnessResult r = bot.collect();
        CHECK(r.on("_default").empty());
        CHECK(all_failures(r).find("2 attempts") != std::string::npos);
        CHECK(server.request_count() == 2);
    }
    SUBCASE("an answer slower than the read time-out counts as a failed attempt") {
        HttpTestServer server([](const RecordedRequest& req) {
            if (req.index == 0) return CannedResponse::text(200, "too late\n").after(std::chrono::milliseconds(2500));
            return ok("in time\n");
        });
        BotHarness bot("collector_http", params(server.url("/f"), R"("http_timeout_sec": [5, 1])"));
        const auto start = std::chrono::steady_clock::now();
        const HarnessResult r = bot.collect();
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(2400));
        REQUIRE(r.on("_default").size() == 1);
        CHECK(raw_of(r.on("_default")[0]) == "in time\n");
        CHECK(server.request_count() == 2);
    }
}

TEST_CASE("collector_http puts the current date into the URL with http_url_formatting") {
    HttpTestServer server([](const RecordedRequest&) { return ok("x\n"); });
    BotHarness bot("collector_http", params(server.url("/{time[%Y-%m-%d]}/list.txt?q={{literal}}"),
                                            R"("http_url_formatting": {"days": -1})"));
    const auto sent = bot.collect().on("_default");
    REQUIRE(sent.size() == 1);
    const std::time_t yesterday = std::time(nullptr) - 86400;
    std::tm tm{};
    ::localtime_r(&yesterday, &tm);
    char date[16];
    std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
    CHECK(server.requests().at(0).target == "/" + std::string(date) + "/list.txt?q={literal}");
    CHECK(field(sent[0], "feed.url") == server.url("/" + std::string(date) + "/list.txt?q={literal}"));
}

TEST_CASE("collector_http refuses bad parameters when the bot is created, naming them") {
    const std::string url = "http://127.0.0.1:9/f";
    auto refused = [&](const std::string& more, const std::string& expected,
                       const std::string& with_url = "http://127.0.0.1:9/f") {
        try {
            BotHarness bot("collector_http", params(with_url, more));
            FAIL("accepted: " << more);
        } catch (const std::exception& e) {
            CHECK_MESSAGE(std::string(e.what()).find(expected) != std::string::npos, e.what());
        }
    };
    refused(R"("http_url_formatting": true)", "http_url", "http://x/{date}");
    refused(R"("http_url_formatting": {"fortnights": 1})", "fortnights");
    refused(R"("extract_files": 5)", "extract_files");
    refused(R"("http_timeout_sec": "soon")", "http_timeout_sec");
    refused(R"("http_timeout_max_tries": 0)", "http_timeout_max_tries");
    refused(R"("http_header": {"Bad Name": "x"})", "http_header");
    refused(R"("http_password": "pw")", "http_username");
    refused(R"("http_proxy": "proxy-without-scheme")", "http_proxy");
    refused(R"("ssl_ca_certificate": "/no/such/ca.pem")", "ssl_ca_certificate");
    try {
        BotHarness bot("collector_http", R"({"http_url": "ftp.example.org/x"})");
        FAIL("accepted a URL without a scheme");
    } catch (const std::exception& e) {
        CHECK(std::string(e.what()).find("http_url") != std::string::npos);
    }
}

TEST_CASE(
    "collector_http verifies TLS certificates by default, and trusts ssl_ca_certificate or http_verify_cert false") {
    // A real TLS server: openssl s_server with a self-signed certificate for 127.0.0.1.
    sluice::test::bypass_proxies_for_loopback();
    TempDir dir("collector-http-tls");
    const auto made = sluice::test::run_command(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
        "-keyout " +
        (dir / "key.pem").string() + " -out " + (dir / "cert.pem").string() + " 2>&1");
    REQUIRE_MESSAGE(made.exit_code == 0, made.output);
    auto which = sluice::test::run_command("command -v openssl");
    REQUIRE_MESSAGE(which.exit_code == 0, "openssl is not installed");
    while (!which.output.empty() && std::isspace(static_cast<unsigned char>(which.output.back())))
        which.output.pop_back();
    const uint16_t port = sluice::test::free_port();
    const int pid =
        sluice::test::spawn({which.output, "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert",
                             (dir / "cert.pem").string(), "-key", (dir / "key.pem").string(), "-www", "-quiet"},
                            dir / "s_server.log");
    struct Stop {
        int pid;
        ~Stop() {
            ::kill(pid, SIGTERM);
            sluice::test::wait_exit(pid, 5);
        }
    } stop{pid};
    REQUIRE(sluice::test::eventually([&] { return can_connect(port); }, 10));
    const std::string url = "https://127.0.0.1:" + std::to_string(port) + "/";

    SUBCASE("an unknown issuer is refused: an error naming the certificate problem, no report") {
        BotHarness bot("collector_http", params(url, R"("http_timeout_max_tries": 1)"));
        const HarnessResult r = bot.collect();
        CHECK(r.on("_default").empty());
        CHECK_MESSAGE(all_failures(r).find("certificate") != std::string::npos, all_failures(r));
    }
    SUBCASE("trusted through ssl_ca_certificate") {
        BotHarness bot("collector_http",
                       params(url, R"("ssl_ca_certificate": ")" + (dir / "cert.pem").string() + "\""));
        const HarnessResult r = bot.collect();
        CHECK_MESSAGE(r.failed.empty(), all_failures(r));
        CHECK(r.on("_default").size() == 1);
    }
    SUBCASE("not verified with http_verify_cert false") {
        BotHarness bot("collector_http", params(url, R"("http_verify_cert": false)"));
        const HarnessResult r = bot.collect();
        CHECK_MESSAGE(r.failed.empty(), all_failures(r));
        REQUIRE(r.on("_default").size() == 1);
        CHECK(raw_of(r.on("_default")[0]).find("s_server") != std::string::npos);
    }
}
