// SPDX-License-Identifier: AGPL-3.0-or-later
// The one translation unit per test executable that holds doctest's main().
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
