// SPDX-License-Identifier: MIT
//
// Memory for large tables and buffers (a deduplication table, a queue's read buffer) that asks the
// kernel for transparent huge pages. Each fresh 4 KiB page costs a fault on first touch; on a
// virtual machine a fault can cost 15-20 µs, so growing a 10 MB table took about 80 ms of
// faults, more than the work done in it. With huge pages the same memory comes in 2 MiB pieces.
//
// Blocks of 2 MiB or more are mapped on their own, aligned to 2 MiB (older kernels do not align
// large mappings themselves), and marked MADV_HUGEPAGE; that works whether the system's setting is
// "always" or "madvise", and costs nothing under "never". Smaller blocks come from operator new
// as usual, so a bot at rest keeps its small footprint. Header-only: nothing crosses the plugin
// boundary.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <new>

namespace sluice {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;

// What a large block maps: `bytes` rounded up to whole 4 KiB pages.
inline constexpr size_t mapped_size(size_t bytes) { return (bytes + 4095) & ~size_t{4095}; }

// `bytes` of uninitialized memory, from huge pages when it is at least kHugePageBytes. Give it
// back with free_large with the same size. Throws std::bad_alloc.
inline void* allocate_large(size_t bytes) {
    if (bytes < kHugePageBytes) return ::operator new(bytes);
    // The start is aligned, the length only rounded to 4 KiB: a tail shorter than a huge page stays
    // in small pages, so the mapping holds no more than what was asked for.
    const size_t rounded = mapped_size(bytes);
    // One huge page more than needed, then the unaligned ends are given back.
    const size_t mapped = rounded + kHugePageBytes;
    void* p = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<uintptr_t>(p);
    const uintptr_t aligned = (start + kHugePageBytes - 1) & ~(uintptr_t{kHugePageBytes} - 1);
    if (aligned > start) ::munmap(p, aligned - start);
    if (const uintptr_t end = start + mapped; end > aligned + rounded)
        ::munmap(reinterpret_cast<void*>(aligned + rounded), end - (aligned + rounded));
    ::madvise(reinterpret_cast<void*>(aligned), rounded, MADV_HUGEPAGE);  // advice: failure is harmless
    return reinterpret_cast<void*>(aligned);
}

inline void free_large(void* p, size_t bytes) noexcept {
    if (!p) return;
    if (bytes < kHugePageBytes) {
        ::operator delete(p);
        return;
    }
    ::munmap(p, mapped_size(bytes));
}

// For std::vector and friends: vector<T, LargeAllocator<T>> grows into huge pages.
template <class T>
struct LargeAllocator {
    using value_type = T;
    LargeAllocator() noexcept = default;
    template <class U>
    LargeAllocator(const LargeAllocator<U>&) noexcept {}
    T* allocate(size_t n) {
        if (n > SIZE_MAX / sizeof(T)) throw std::bad_alloc();
        return static_cast<T*>(allocate_large(n * sizeof(T)));
    }
    void deallocate(T* p, size_t n) noexcept { free_large(p, n * sizeof(T)); }
    template <class U>
    bool operator==(const LargeAllocator<U>&) const noexcept {
        return true;
    }
};

}  // namespace sluice
