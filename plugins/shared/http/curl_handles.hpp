// SPDX-License-Identifier: AGPL-3.0-or-later
//
// RAII owners for libcurl's handles: an easy handle (one connection cache, reused across requests)
// and a header list. Nothing else; the request logic is in http_client.hpp.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace sluice::bot_http {

struct CurlEasyDeleter {
    void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

// A new easy handle; curl_global_init runs once per process first (it is reference counted and
// thread-safe in the libcurl Debian ships, so several plugins in one process may each call it).
inline CurlEasy make_curl_easy() {
    static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (init != CURLE_OK)
        throw std::runtime_error(std::string("libcurl: cannot initialise: ") + curl_easy_strerror(init));
    CurlEasy h(curl_easy_init());
    if (!h) throw std::runtime_error("libcurl: cannot create a handle (out of memory?)");
    return h;
}

// A curl_slist of "Name: value" lines, freed with the owner.
class CurlHeaders {
 public:
    CurlHeaders() = default;
    CurlHeaders(const CurlHeaders&) = delete;
    CurlHeaders& operator=(const CurlHeaders&) = delete;
    CurlHeaders(CurlHeaders&& o) noexcept : list_(o.list_) { o.list_ = nullptr; }
    CurlHeaders& operator=(CurlHeaders&& o) noexcept {
        std::swap(list_, o.list_);
        return *this;
    }
    ~CurlHeaders() { curl_slist_free_all(list_); }

    void add(const std::string& line) {
        curl_slist* next = curl_slist_append(list_, line.c_str());
        if (!next) throw std::runtime_error("libcurl: cannot add a header (out of memory?)");
        list_ = next;
    }
    curl_slist* get() const { return list_; }

 private:
    curl_slist* list_ = nullptr;
};

}  // namespace sluice::bot_http
