// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http_options.hpp"

#include <rapidjson/document.h>

#include <cmath>
#include <filesystem>
#include <stdexcept>

namespace sluice::bot_http {
namespace {

[[noreturn]] void refuse(std::string_view name, std::string_view value, std::string_view why) {
    throw sluice::FatalError("parameter '" + std::string(name) + "' = " + std::string(value) + ": " + std::string(why));
}

bool positive_seconds(const rapidjson::Value& v) {
    return v.IsNumber() && v.GetDouble() > 0 && std::isfinite(v.GetDouble());
}

// IntelMQ's http_timeout_sec: one number for both, or a pair (connect, read) as requests takes it.
void read_timeouts(const sluice::Params& p, HttpOptions& o) {
    const std::string text = p.string("http_timeout_sec", "30");
    rapidjson::Document d;
    d.Parse(text.c_str(), text.size());
    if (!d.HasParseError() && positive_seconds(d)) {
        o.connect_timeout = o.read_timeout = d.GetDouble();
        return;
    }
    if (!d.HasParseError() && d.IsArray() && d.Size() == 2 && positive_seconds(d[0]) && positive_seconds(d[1])) {
        o.connect_timeout = d[0].GetDouble();
        o.read_timeout = d[1].GetDouble();
        return;
    }
    refuse("http_timeout_sec", text, "expected a positive number of seconds or [connect, read], e.g. 30 or [5, 60]");
}

void check_proxy(std::string_view name, const std::string& url) {
    if (url.empty()) return;
    if (url.find("://") == std::string::npos)
        refuse(name, "(not shown: it may hold a password)", "expected a URL such as http://proxy.example:3128");
}

void check_file(std::string_view name, const std::string& path) {
    if (path.empty()) return;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) refuse(name, "'" + path + "'", "no such file");
}

bool is_token_char(unsigned char c) {
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(char(c)) != std::string_view::npos;
}

}  // namespace

std::string header_line(std::string_view name, std::string_view value) {
    const std::string n(name);
    if (n.empty()) throw std::invalid_argument("a header has an empty name");
    for (unsigned char c : n)
        if (!is_token_char(c)) throw std::invalid_argument("header name '" + n + "' is not an HTTP token");
    if (value.find_first_of("\r\n") != std::string_view::npos)
        throw std::invalid_argument("the value of header '" + n + "' holds a line break");
    // libcurl drops "Name:" (it means "remove"); "Name;" is its spelling of an empty header.
    return value.empty() ? n + ";" : n + ": " + std::string(value);
}

std::vector<std::string> header_lines(std::string_view json_object) {
    rapidjson::Document d;
    d.Parse(json_object.data(), json_object.size());
    if (d.HasParseError() || !d.IsObject())
        throw std::invalid_argument("expected a JSON object of header names and values");
    std::vector<std::string> out;
    for (const auto& m : d.GetObject()) {
        const std::string_view name(m.name.GetString(), m.name.GetStringLength());
        if (!m.value.IsString())
            throw std::invalid_argument("the value of header '" + std::string(name) + "' is not a string");
        out.push_back(header_line(name, std::string_view(m.value.GetString(), m.value.GetStringLength())));
    }
    return out;
}

HttpOptions http_options(const sluice::Params& p) {
    HttpOptions o;
    o.verify_cert = p.boolean("http_verify_cert", true);
    o.ca_certificate = p.string("ssl_ca_certificate");
    o.client_certificate = p.string("ssl_client_certificate");
    check_file("ssl_ca_certificate", o.ca_certificate);
    check_file("ssl_client_certificate", o.client_certificate);
    o.http_proxy = p.string("http_proxy");
    o.https_proxy = p.string("https_proxy");
    check_proxy("http_proxy", o.http_proxy);
    check_proxy("https_proxy", o.https_proxy);
    read_timeouts(p, o);
    const int64_t tries = p.integer("http_timeout_max_tries", 3);
    if (tries < 1 || tries > 100) refuse("http_timeout_max_tries", std::to_string(tries), "expected 1 to 100 attempts");
    o.max_tries = static_cast<int>(tries);
    o.retry_delay = p.number("http_retry_delay_sec", 1);
    if (!(o.retry_delay >= 0 && o.retry_delay <= 3600))
        refuse("http_retry_delay_sec", std::to_string(o.retry_delay), "expected 0 to 3600 seconds");
    o.user_agent = p.string("http_user_agent", o.user_agent);
    o.username = p.string("http_username");
    o.password = p.string("http_password");
    o.bearer_token = p.string("http_bearer_token");
    if (!o.password.empty() && o.username.empty())
        refuse("http_password", "(set)", "http_username is missing: basic authentication needs both");
    if (!o.bearer_token.empty() && !o.username.empty())
        refuse("http_bearer_token", "(set)", "http_username is set too: choose basic or bearer authentication");
    const std::string headers = p.string("http_header", "{}");
    try {
        o.headers = header_lines(headers.empty() ? "{}" : headers);
    } catch (const std::invalid_argument& e) {
        refuse("http_header", "(values not shown: they may hold API keys)", e.what());
    }
    return o;
}

}  // namespace sluice::bot_http
