// SPDX-License-Identifier: AGPL-3.0-or-later
// The data lines of Spamhaus' DROP lists, split as IntelMQ's parser_drop splits them:
//   DROP, EDROP, DROPv6:  "1.4.0.0/17 ; SBL256893"                     -> network, SBL id
//   ASN-DROP:             "AS260 ; AE | XCONNECT24 - Xconnect24 Inc."  -> ASN, country, AS name
#pragma once

#include <string>
#include <string_view>

namespace sluice::spamhaus {

enum class ListKind { network, asn, unknown };

// The list a report comes from, by its feed.url as IntelMQ knows them.
ListKind kind_of_url(std::string_view url);
// For a report whose feed.url is not one of those: an "AS<digits>" line is ASN-DROP, another a
// network list.
ListKind kind_of_line(std::string_view line);

struct NetworkLine {
    std::string network;
    std::string blocklist;  // the SBL id
};
struct AsnLine {
    std::string asn;
    std::string country;  // empty when the list gives none
    std::string as_name;
};

// Split one stripped data line; false with `why` when it lacks a field.
bool split_network_line(std::string_view line, NetworkLine& out, std::string& why);
bool split_asn_line(std::string_view line, AsnLine& out, std::string& why);

// Python's str.strip(chars) / str.strip().
std::string_view strip_chars(std::string_view s, std::string_view chars);
std::string_view strip_space(std::string_view s);

}  // namespace sluice::spamhaus
