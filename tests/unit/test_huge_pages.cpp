// SPDX-License-Identifier: AGPL-3.0-or-later
// sluice/huge_pages.hpp: large blocks are mapped on their own at a 2 MiB boundary, small ones come
// from operator new, and both are usable over their whole length and given back.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "sluice/huge_pages.hpp"

namespace {

// Whether `p` lies in a mapping of its own that starts at `p` (from /proc/self/maps).
bool starts_a_mapping(const void* p) {
    std::ifstream maps("/proc/self/maps");
    const auto want = reinterpret_cast<uintptr_t>(p);
    std::string line;
    while (std::getline(maps, line))
        if (std::stoull(line.substr(0, line.find('-')), nullptr, 16) == want) return true;
    return false;
}

}  // namespace

TEST_CASE("a large block starts on a huge page boundary in a mapping of its own, a small one does not") {
    for (size_t bytes : {sluice::kHugePageBytes, sluice::kHugePageBytes + 1, size_t{10'000'000}}) {
        CAPTURE(bytes);
        char* p = static_cast<char*>(sluice::allocate_large(bytes));
        CHECK(reinterpret_cast<uintptr_t>(p) % sluice::kHugePageBytes == 0);
        CHECK(starts_a_mapping(p));
        std::memset(p, 0x5a, bytes);  // every byte asked for is there
        CHECK(p[bytes - 1] == 0x5a);
        sluice::free_large(p, bytes);
        CHECK_FALSE(starts_a_mapping(p));  // given back
    }
    char* small = static_cast<char*>(sluice::allocate_large(4096));
    std::memset(small, 1, 4096);
    CHECK_FALSE(starts_a_mapping(small));
    sluice::free_large(small, 4096);
}

TEST_CASE("a vector with LargeAllocator keeps its elements as it grows into huge pages") {
    std::vector<uint64_t, sluice::LargeAllocator<uint64_t>> v;
    for (uint64_t i = 0; i < 1'000'000; ++i) v.push_back(i * 3);
    CHECK(reinterpret_cast<uintptr_t>(v.data()) % sluice::kHugePageBytes == 0);
    for (uint64_t i = 0; i < v.size(); i += 9973) CHECK(v[i] == i * 3);
    CHECK(v.back() == 999'999 * 3);
}
