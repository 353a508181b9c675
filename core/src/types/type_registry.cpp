// SPDX-License-Identifier: AGPL-3.0-or-later
// IntelMQ's type names → the one shared instance of each type.
#include <array>
#include <utility>

#include "types/field_types.hpp"

namespace sluice {

const FieldType* find_field_type(std::string_view type_name) {
    static const types::String string;
    static const types::LowercaseString lowercase;
    static const types::UppercaseString uppercase;
    static const types::Integer integer;
    static const types::Float floating;
    static const types::Accuracy accuracy;
    static const types::ASN asn;
    static const types::Boolean boolean;
    static const types::IPAddress ip;
    static const types::IPNetwork network;
    static const types::FQDN fqdn;
    static const types::URL url;
    static const types::DateTime datetime;
    static const types::ClassificationType ctype;
    static const types::ClassificationTaxonomy taxonomy;
    static const types::Registry registry;
    static const types::TLP tlp;
    static const types::Base64 base64;
    static const types::JSON json;
    static const types::JSONDict jsondict;
    static const std::array<const FieldType*, 20> all = {
        &string, &lowercase, &uppercase, &integer, &floating, &accuracy, &asn, &boolean, &ip,   &network,
        &fqdn,   &url,       &datetime,  &ctype,   &taxonomy, &registry, &tlp, &base64,  &json, &jsondict};
    for (const FieldType* t : all)
        if (t->name() == type_name) return t;
    return nullptr;
}

}  // namespace sluice
