// SPDX-License-Identifier: AGPL-3.0-or-later
// collector_http_push's token and query rules on their own.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <string>

#include "push_token.hpp"
#include "query_fields.hpp"
#include "test_support.hpp"

using namespace sluice::collector_http_push;

namespace {

std::string refusal(std::optional<std::string_view> token, std::optional<std::string_view> file,
                    std::optional<std::string_view> env) {
    try {
        (void)load_token(token, file, env);
    } catch (const TokenError& e) {
        return e.what();
    }
    return "accepted";
}

}  // namespace

TEST_CASE("collector_http_push takes the token from exactly one of token, token_file and token_env") {
    CHECK(load_token("s3cret-token", std::nullopt, std::nullopt) == "s3cret-token");

    sluice::test::TempDir dir("http-push-token");
    sluice::test::write_file(dir / "token", "from-a-file\n");
    CHECK(load_token(std::nullopt, (dir / "token").string(), std::nullopt) == "from-a-file");

    ::setenv("SLUICE_TEST_PUSH_TOKEN", "from-the-env", 1);
    CHECK(load_token(std::nullopt, std::nullopt, "SLUICE_TEST_PUSH_TOKEN") == "from-the-env");

    CHECK(refusal(std::nullopt, std::nullopt, std::nullopt).find("no token") != std::string::npos);
    const std::string both = refusal("s3cret-token", (dir / "token").string(), std::nullopt);
    CHECK_MESSAGE(both.find("'token' and 'token_file' are both set") != std::string::npos, both);
    CHECK(refusal(std::nullopt, (dir / "missing").string(), std::nullopt).find("cannot read") != std::string::npos);
    ::unsetenv("SLUICE_TEST_PUSH_UNSET");
    CHECK(refusal(std::nullopt, std::nullopt, "SLUICE_TEST_PUSH_UNSET").find("not set") != std::string::npos);
    CHECK(refusal("", std::nullopt, std::nullopt).find("empty") != std::string::npos);
    // A refusal never quotes the token it refuses.
    const std::string spaced = refusal("two words", std::nullopt, std::nullopt);
    CHECK(spaced.find("visible ASCII") != std::string::npos);
    CHECK(spaced.find("two words") == std::string::npos);
}

TEST_CASE("collector_http_push accepts the token as Bearer or X-Sluice-Token and tells missing from wrong") {
    CHECK(check_token("Bearer abc", "", "abc") == TokenCheck::accepted);
    CHECK(check_token("bearer  abc ", "", "abc") == TokenCheck::accepted);
    CHECK(check_token("", "abc", "abc") == TokenCheck::accepted);
    CHECK(check_token("Basic YWJj", "abc", "abc") == TokenCheck::accepted);
    CHECK(check_token("", "", "abc") == TokenCheck::missing);
    CHECK(check_token("Basic YWJj", "", "abc") == TokenCheck::missing);
    CHECK(check_token("Bearer abd", "", "abc") == TokenCheck::wrong);
    CHECK(check_token("Bearer ab", "", "abc") == TokenCheck::wrong);
    CHECK(check_token("Bearer abcd", "", "abc") == TokenCheck::wrong);
    CHECK(check_token("", "ABC", "abc") == TokenCheck::wrong);
    CHECK(equal_in_constant_time("", ""));
    CHECK_FALSE(equal_in_constant_time("a", ""));
}

TEST_CASE("collector_http_push reads feed and extra fields from the query string and refuses others") {
    const auto fields = report_fields_of("feed.url=https%3A%2F%2Fexample.org%2Ff.csv&&extra.note=two+words");
    REQUIRE(fields.size() == 2);
    CHECK(fields[0].first == "feed.url");
    CHECK(fields[0].second == "https://example.org/f.csv");
    CHECK(fields[1].first == "extra.note");
    CHECK(fields[1].second == "two words");
    CHECK(report_fields_of("").empty());
    CHECK_THROWS_WITH_AS(report_fields_of("raw=abc"), doctest::Contains("'raw'"), QueryError);
    CHECK_THROWS_WITH_AS(report_fields_of("feed.name"), doctest::Contains("no value"), QueryError);
    CHECK_THROWS_WITH_AS(report_fields_of("feed.name=%4"), doctest::Contains("two hex digits"), QueryError);
}
