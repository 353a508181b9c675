// SPDX-License-Identifier: AGPL-3.0-or-later
// The harmonization types, one class each, named as IntelMQ names them.
#pragma once

#include <string>
#include <string_view>

#include "sluice/core/harmonization.hpp"

namespace sluice::types {

#define SLUICE_FIELD_TYPE(Name, Base, Kind)                                 \
    class Name : public Base {                                              \
     public:                                                                \
        std::string_view name() const override { return #Name; }            \
        ValueKind kind() const override { return ValueKind::Kind; }         \
        bool is_valid(std::string_view v) const override;                   \
        bool sanitize(std::string_view v, std::string& out) const override; \
    }

SLUICE_FIELD_TYPE(String, FieldType, string);
SLUICE_FIELD_TYPE(LowercaseString, FieldType, string);
SLUICE_FIELD_TYPE(UppercaseString, FieldType, string);
SLUICE_FIELD_TYPE(Integer, FieldType, number);
SLUICE_FIELD_TYPE(Float, FieldType, number);
SLUICE_FIELD_TYPE(Accuracy, Float, number);
SLUICE_FIELD_TYPE(ASN, Integer, number);
SLUICE_FIELD_TYPE(Boolean, FieldType, boolean);
SLUICE_FIELD_TYPE(IPAddress, FieldType, string);
SLUICE_FIELD_TYPE(IPNetwork, FieldType, string);
SLUICE_FIELD_TYPE(FQDN, FieldType, string);
SLUICE_FIELD_TYPE(URL, FieldType, string);
SLUICE_FIELD_TYPE(DateTime, FieldType, string);
SLUICE_FIELD_TYPE(ClassificationType, FieldType, string);
SLUICE_FIELD_TYPE(ClassificationTaxonomy, FieldType, string);
SLUICE_FIELD_TYPE(Registry, FieldType, string);
SLUICE_FIELD_TYPE(TLP, FieldType, string);
SLUICE_FIELD_TYPE(Base64, FieldType, string);
SLUICE_FIELD_TYPE(JSON, FieldType, string);
SLUICE_FIELD_TYPE(JSONDict, FieldType, json);

#undef SLUICE_FIELD_TYPE

// Python's repr() of a float, which is how IntelMQ writes Float fields.
std::string python_float_repr(double d);

}  // namespace sluice::types

namespace sluice::types {
// Parses the accepted DateTime inputs into the canonical UTC form; false when not a date.
bool parse_datetime_utc(std::string_view v, std::string& out);
// IntelMQ's DateTime.from_timestamp (seconds since 1970, a float), from_epoch_millis (10, 12 or 13
// digits: seconds, centiseconds or milliseconds) and from_windows_nt (100 ns since 1601-01-01).
bool datetime_from_timestamp(std::string_view v, std::string& out);
bool datetime_from_epoch_millis(std::string_view v, std::string& out);
bool datetime_from_windows_nt(std::string_view v, std::string& out);
}  // namespace sluice::types
