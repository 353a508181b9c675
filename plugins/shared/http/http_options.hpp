// SPDX-License-Identifier: AGPL-3.0-or-later
//
// The HTTP settings every HTTP bot shares, under IntelMQ's parameter names (its "HTTP parameters":
// http_proxy, https_proxy, http_timeout_sec, http_timeout_max_tries, http_verify_cert, ...), read
// and checked in one place so a bad value is refused at create time the same way in every bot.
// A bot lists the rows in its parameter table with the SLUICE_HTTP_*_PARAMS macros below and reads
// them with http_options(params).
#pragma once

#include <sluice/bot.hpp>

#include <string>
#include <utility>
#include <vector>

namespace sluice::bot_http {

struct HttpOptions {
    bool verify_cert = true;         // http_verify_cert
    std::string ca_certificate;      // ssl_ca_certificate: a CA bundle file instead of the system's
    std::string client_certificate;  // ssl_client_certificate: PEM with the client's cert (and key)
    std::string http_proxy;          // used for http:// URLs
    std::string https_proxy;         // used for https:// URLs
    double connect_timeout = 30;     // seconds
    double read_timeout = 30;        // seconds without receiving a byte
    int max_tries = 3;               // attempts per request on transient failures
    double retry_delay = 1;          // seconds before the second attempt, doubled after each
    std::string user_agent = "Sluice/0.1 (libcurl)";
    std::string username, password;    // HTTP basic auth (http_username / http_password)
    std::string bearer_token;          // Authorization: Bearer <token>
    std::vector<std::string> headers;  // "Name: value" lines (http_header)
};

// Reads the rows of SLUICE_HTTP_CONNECTION_PARAMS (and, where the bot declares them, of
// SLUICE_HTTP_AUTH_PARAMS and http_header). Throws FatalError naming the parameter on a bad value.
HttpOptions http_options(const sluice::Params& p);

// A JSON object {"Name": "value", ...} as "Name: value" lines; throws std::invalid_argument naming
// the header when a name is not an HTTP token or a value holds a line break.
std::vector<std::string> header_lines(std::string_view json_object);
// One "Name: value" line, checked the same way.
std::string header_line(std::string_view name, std::string_view value);

}  // namespace sluice::bot_http

// Proxy, timeouts, retries and TLS: every HTTP bot.
#define SLUICE_HTTP_CONNECTION_PARAMS                                                                             \
    SLUICE_PARAM("http_proxy", SLUICE_PARAM_STRING, 0, nullptr,                                                   \
                 "Proxy for http:// URLs, e.g. http://proxy:3128 (unset: the http_proxy environment variable)"),  \
        SLUICE_PARAM("https_proxy", SLUICE_PARAM_STRING, 0, nullptr,                                              \
                     "Proxy for https:// URLs (unset: the https_proxy environment variable)"),                    \
        SLUICE_PARAM("http_timeout_sec", SLUICE_PARAM_JSON, 0, "30",                                              \
                     "Timeout in seconds: one number, or [connect, read] (read: longest wait for data)"),         \
        SLUICE_PARAM("http_timeout_max_tries", SLUICE_PARAM_INT, 0, "3",                                          \
                     "Attempts per request on time-outs, connection errors and 429/502/503/504 answers"),         \
        SLUICE_PARAM("http_retry_delay_sec", SLUICE_PARAM_FLOAT, 0, "1",                                          \
                     "Wait before the second attempt, doubled after each (a Retry-After answer wins, up to 60)"), \
        SLUICE_PARAM("http_verify_cert", SLUICE_PARAM_BOOL, 0, "true",                                            \
                     "Verify the server's TLS certificate and host name"),                                        \
        SLUICE_PARAM("ssl_ca_certificate", SLUICE_PARAM_STRING, 0, nullptr,                                       \
                     "CA bundle (PEM file) to verify the server with, instead of the system's"),                  \
        SLUICE_PARAM("ssl_client_certificate", SLUICE_PARAM_STRING, 0, nullptr,                                   \
                     "Client certificate for TLS: a PEM file holding the certificate and its key"),               \
        SLUICE_PARAM("http_user_agent", SLUICE_PARAM_STRING, 0, "\"Sluice/0.1 (libcurl)\"",                       \
                     "User-Agent header of the requests")

// HTTP basic or bearer authentication.
#define SLUICE_HTTP_AUTH_PARAMS                                                                                   \
    SLUICE_PARAM("http_username", SLUICE_PARAM_STRING, 0, nullptr, "User name for HTTP basic authentication"),    \
        SLUICE_PARAM("http_password", SLUICE_PARAM_STRING, 0, nullptr, "Password for HTTP basic authentication"), \
        SLUICE_PARAM("http_bearer_token", SLUICE_PARAM_STRING, 0, nullptr,                                        \
                     "Token sent as 'Authorization: Bearer <token>' (not with http_username)")

// Extra request headers.
#define SLUICE_HTTP_HEADER_PARAM                            \
    SLUICE_PARAM("http_header", SLUICE_PARAM_JSON, 0, "{}", \
                 "Extra request headers as a JSON object, e.g. {\"X-Api-Key\": \"...\"}")
