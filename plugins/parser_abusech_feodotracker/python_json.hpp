// SPDX-License-Identifier: AGPL-3.0-or-later
// JSON text exactly as Python's json.dumps(value) writes it (IntelMQ's recover_line_json puts
// json.dumps([record]) in each event's raw): separators ", " and ": ", keys in their order,
// ensure_ascii (every character outside ' '..'~' escaped, \uXXXX with surrogate pairs), floats as
// Python's repr (1.0, 1e-05, 1e+16).
#pragma once

#include <rapidjson/document.h>

#include <string>

namespace sluice::feodo {

void append_python_json(const rapidjson::Value& v, std::string& out);
std::string python_json(const rapidjson::Value& v);

}  // namespace sluice::feodo
