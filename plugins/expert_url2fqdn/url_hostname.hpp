// SPDX-License-Identifier: AGPL-3.0-or-later
// The host of a URL as Python's urllib.parse.urlparse(url).hostname gives it.
#pragma once

#include <string>
#include <string_view>

namespace sluice::url2fqdn {

// The network location's host: user info and port removed, IPv6 brackets stripped, lower-cased.
// Empty when the URL has no "//" network location or its host is empty (Python's None).
std::string url_hostname(std::string_view url);

}  // namespace sluice::url2fqdn
