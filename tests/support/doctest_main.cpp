// SPDX-License-Identifier: AGPL-3.0-or-later
// The one translation unit per test executable that holds doctest's main(). ctest runs each case as
// `<exe> --test-case=<name>`; a name that does not match (CMake cuts names at ';') would make doctest
// run nothing and succeed. A filter that selects no test case is therefore a failure here.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstring>
#include <iostream>

namespace {

int g_cases_started = 0;

struct CountCases : doctest::IReporter {
    explicit CountCases(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats&) override {}
    void test_case_start(const doctest::TestCaseData&) override { ++g_cases_started; }
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};
DOCTEST_REGISTER_LISTENER("count-cases", 1, CountCases);

}  // namespace

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int result = context.run();
    if (context.shouldExit()) return result;  // --help, --list-test-cases and the like
    bool filtered = false;
    for (int i = 1; i < argc; ++i)
        filtered |= std::strncmp(argv[i], "--test-case=", 12) == 0 || std::strncmp(argv[i], "-tc=", 4) == 0;
    if (filtered && g_cases_started == 0) {
        std::cerr << "no test case matches the filter: the name is wrong (a ';' in a doctest name is cut by CMake)\n";
        return 1;
    }
    return result;
}
