// SPDX-License-Identifier: AGPL-3.0-or-later
//
// collector_http: IntelMQ's "Generic URL Fetcher" (intelmq/bots/collectors/http/collector_http.py).
// Every collect downloads http_url (libcurl, through the shared HTTP client: proxy, headers,
// basic/bearer auth, TLS verification, time-outs and retries) and sends one Report per document:
// the body itself, or, for an archive, one per file in it (extra.file_name names the file). feed.url
// is the URL fetched. A non-2xx answer is an error naming the status and the start of the body, and
// no report is sent. The host's rate_limit decides how often collect runs.
#include <sluice/bot.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>

#include "archive_extract.hpp"
#include "http_client.hpp"
#include "url_template.hpp"

namespace {

using namespace sluice::collector_http;
using sluice::bot_http::HttpClient;
using sluice::bot_http::HttpRequest;

// IntelMQ's extract_files: false; true (every file); or the names of the files to keep, as a
// list or one comma-separated string.
struct Extraction {
    bool enabled = false;
    std::set<std::string> only;  // empty: every file

    bool wanted(const ExtractedFile& f) const { return only.empty() || (f.name && only.count(*f.name)); }
};

Extraction read_extraction(const sluice::Params& p) {
    const std::string text = p.string("extract_files", "false");
    rapidjson::Document d;
    d.Parse(text.c_str(), text.size());
    Extraction e;
    auto add_names = [&](std::string_view names) {
        for (size_t start = 0; start <= names.size();) {
            size_t comma = names.find(',', start);
            if (comma == std::string_view::npos) comma = names.size();
            std::string_view name = names.substr(start, comma - start);
            while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
            while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
            if (!name.empty()) e.only.emplace(name);
            start = comma + 1;
        }
    };
    if (!d.HasParseError() && d.IsBool()) {
        e.enabled = d.GetBool();
    } else if (!d.HasParseError() && d.IsString()) {
        add_names(std::string_view(d.GetString(), d.GetStringLength()));
        e.enabled = !e.only.empty();
    } else if (!d.HasParseError() && d.IsArray()) {
        for (const auto& v : d.GetArray()) {
            if (!v.IsString())
                throw sluice::FatalError("parameter 'extract_files' = " + text + ": list items must be file names");
            e.only.emplace(v.GetString(), v.GetStringLength());
        }
        e.enabled = true;
    } else {
        throw sluice::FatalError("parameter 'extract_files' = " + text +
                                 ": expected true, false, a list of file names or a comma-separated string");
    }
    return e;
}

UrlTemplate read_url(const sluice::Params& p) {
    const std::string url = p.string("http_url");
    if (url.find("://") == std::string::npos)
        throw sluice::FatalError("parameter 'http_url' = '" + sluice::bot_http::redact_url(url) +
                                 "': expected an http:// or https:// URL");
    const std::string formatting = p.string("http_url_formatting", "false");
    try {
        return UrlTemplate(url, formatting);
    } catch (const std::invalid_argument& e) {
        throw sluice::FatalError("parameter 'http_url' = '" + sluice::bot_http::redact_url(url) +
                                 "' with http_url_formatting = " + formatting + ": " + e.what());
    }
}

HttpClient make_client(const sluice::Params& p) {
    try {
        return HttpClient(sluice::bot_http::http_options(p));
    } catch (const sluice::FatalError&) {
        throw;
    } catch (const std::exception& e) {
        throw sluice::FatalError(e.what());
    }
}

class HttpCollector {
 public:
    HttpCollector(const sluice::Params& p, sluice::Context&)
        : url_(read_url(p)),
          extraction_(read_extraction(p)),
          client_(make_client(p)),
          name_(p.string("name")),
          provider_(p.string("provider")),
          code_(p.string("code")),
          documentation_(p.string("documentation")),
          accuracy_(p.string("accuracy", "100")) {}

    sluice::Status collect(sluice::Context& ctx) {
        HttpRequest request;
        request.url = url_.render(std::chrono::system_clock::now());
        ctx.info("downloading report from " + sluice::bot_http::redact_url(request.url));
        auto response = client_.send(request, [&ctx] { return ctx.should_stop(); });
        if (!response.ok()) {
            throw std::runtime_error(sluice::bot_http::describe_status(request, response) + " — no report sent");
        }
        ctx.info("report downloaded: " + std::to_string(response.body.size()) + " bytes");

        std::vector<ExtractedFile> files;
        if (auto unpacked =
                extract_archive(response.body, extraction_.enabled ? ArchiveKinds::any : ArchiveKinds::zip_only)) {
            files = std::move(*unpacked);
        } else if (extraction_.enabled) {
            throw std::runtime_error("extract_files is set, but the document from " +
                                     sluice::bot_http::redact_url(request.url) +
                                     " is neither a zip nor a tar archive nor gzip-compressed — no report sent");
        } else {
            files.push_back(ExtractedFile{std::nullopt, std::move(response.body)});
        }

        for (const ExtractedFile& f : files) {
            if (!extraction_.wanted(f)) continue;
            if (f.content.empty()) {
                ctx.debug("empty document" + (f.name ? " '" + *f.name + "'" : std::string()) + ": no report");
                continue;
            }
            sluice::Message report = make_report(ctx, request.url);
            if (f.name) report.set("extra.file_name", json_string(*f.name), sluice::json);
            report.set("raw", f.content);
            ctx.emit(report);
            ctx.discard(report);
        }
        return sluice::Status::ok;
    }

 private:
    static std::string json_string(const std::string& s) {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
        return std::string(buf.GetString(), buf.GetSize());
    }

    sluice::Message make_report(sluice::Context& ctx, const std::string& url) const {
        sluice::Message report = ctx.new_report();
        if (!name_.empty()) report.set("feed.name", name_);
        if (!provider_.empty()) report.set("feed.provider", provider_);
        if (!code_.empty()) report.set("feed.code", code_);
        if (!documentation_.empty()) report.set("feed.documentation", documentation_);
        if (!accuracy_.empty()) report.set("feed.accuracy", accuracy_);
        // Credentials in the URL stay out of reports, events and every database they reach.
        std::string public_url = sluice::bot_http::redact_url(url);
        if (const size_t at = public_url.find("://***@"); at != std::string::npos) public_url.erase(at + 3, 4);
        report.set("feed.url", public_url);
        return report;
    }

    UrlTemplate url_;
    Extraction extraction_;
    HttpClient client_;
    std::string name_, provider_, code_, documentation_, accuracy_;
};

}  // namespace

SLUICE_EXPORT_BOT(
    HttpCollector, SLUICE_KIND_COLLECTOR, "collector_http", "1.0.0",
    "IntelMQ's Generic URL Fetcher: downloads a URL and sends it (or each file of an archive) as a report",
    SLUICE_PARAM("http_url", SLUICE_PARAM_STRING, 1, nullptr, "The URL to download (http:// or https://)"),
    SLUICE_PARAM(
        "http_url_formatting", SLUICE_PARAM_JSON, 0, "false",
        "true: replace {time[%Y-%m-%d]} in http_url by the local time; or a time delta such as {\"days\": -1}"),
    SLUICE_PARAM("extract_files", SLUICE_PARAM_JSON, 0, "false",
                 "true: unpack zip, tar (also compressed) or gzip, one report per file; or the file names to keep"),
    SLUICE_HTTP_HEADER_PARAM, SLUICE_HTTP_AUTH_PARAMS, SLUICE_HTTP_CONNECTION_PARAMS,
    SLUICE_PARAM("name", SLUICE_PARAM_STRING, 0, nullptr, "feed.name of the reports"),
    SLUICE_PARAM("provider", SLUICE_PARAM_STRING, 0, nullptr, "feed.provider of the reports"),
    SLUICE_PARAM("accuracy", SLUICE_PARAM_FLOAT, 0, "100", "feed.accuracy of the reports, 0 to 100"),
    SLUICE_PARAM("code", SLUICE_PARAM_STRING, 0, nullptr, "feed.code of the reports"),
    SLUICE_PARAM("documentation", SLUICE_PARAM_STRING, 0, nullptr, "feed.documentation of the reports"))
