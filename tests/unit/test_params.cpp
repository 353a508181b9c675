// SPDX-License-Identifier: AGPL-3.0-or-later
// Parameters are checked against the plugin's own table before the bot is created.
#include <doctest/doctest.h>

#include "sluice/core/params.hpp"

namespace {

const sluice_param_def table[] = {
    {"columns", SLUICE_PARAM_STRING_LIST, 1, nullptr, "the columns"},
    {"delimiter", SLUICE_PARAM_STRING, 0, "\",\"", "field separator"},
    {"skip_header", SLUICE_PARAM_BOOL, 0, "false", "skip the first line"},
    {"limit", SLUICE_PARAM_INT, 0, nullptr, "at most this many"},
    {"mapping", SLUICE_PARAM_JSON, 0, "{}", "a JSON object"},
};

sluice_bot_desc desc() {
    sluice_bot_desc d{};
    d.name = "parser_test";
    d.params = table;
    d.param_count = sizeof table / sizeof table[0];
    return d;
}

std::string joined(const std::vector<std::string>& errors) {
    std::string all;
    for (const auto& e : errors) all += e + "\n";
    return all;
}

}  // namespace

TEST_CASE("defaults are filled in and values converted to their declared type") {
    std::vector<std::string> errors;
    auto p = sluice::validate_params(desc(), R"({"columns": ["a", "b"], "limit": 5})", errors);
    REQUIRE(errors.empty());
    CHECK(p.find("delimiter")->text == ",");
    CHECK(p.find("skip_header")->text == "false");
    CHECK(p.find("limit")->text == "5");
    CHECK(p.find("columns")->list == std::vector<std::string>{"a", "b"});
    CHECK(p.find("mapping")->text == "{}");
}

TEST_CASE("a string list may be given as IntelMQ's comma-separated string") {
    std::vector<std::string> errors;
    auto p = sluice::validate_params(desc(), R"({"columns": "time.source, source.ip,__IGNORE__"})", errors);
    REQUIRE(errors.empty());
    CHECK(p.find("columns")->list == std::vector<std::string>{"time.source", "source.ip", "__IGNORE__"});
}

TEST_CASE("unknown, missing and mistyped parameters are each reported") {
    std::vector<std::string> errors;
    (void)sluice::validate_params(desc(), R"({"colums": ["a"], "skip_header": "yes", "limit": 1.5})", errors);
    const std::string all = joined(errors);
    CHECK(errors.size() == 4);
    CHECK(all.find("parameter 'colums' is not a parameter of parser_test") != std::string::npos);
    CHECK(all.find("parameter 'columns' is required") != std::string::npos);
    CHECK(all.find("parameter 'skip_header': expected true or false") != std::string::npos);
    CHECK(all.find("parameter 'limit': expected an integer") != std::string::npos);
}
