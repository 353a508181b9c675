// SPDX-License-Identifier: AGPL-3.0-or-later
// A growable scratch buffer that is never zero-filled: batches are encoded and segments read into it
// over and over, so it must cost nothing once it has reached its working size.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>

#include "sluice/huge_pages.hpp"

namespace sluice::fileq {

class ByteBuffer {
 public:
    char* data() { return data_.get(); }
    const char* data() const { return data_.get(); }
    size_t capacity() const { return capacity_; }

    // Makes room for `size` bytes, keeping the first `keep` bytes if it has to move.
    void reserve(size_t size, size_t keep = 0) {
        if (size <= capacity_) return;
        const size_t grown = std::max(size, capacity_ * 2);
        Storage fresh(static_cast<char*>(allocate_large(grown)), Free{grown});
        if (keep > 0) std::memcpy(fresh.get(), data_.get(), keep);
        data_ = std::move(fresh);
        capacity_ = grown;
    }

 private:
    // A take can read megabytes: from huge pages once that large (see sluice/huge_pages.hpp).
    struct Free {
        size_t bytes;
        void operator()(char* p) const noexcept { free_large(p, bytes); }
    };
    using Storage = std::unique_ptr<char[], Free>;
    Storage data_;
    size_t capacity_ = 0;
};

}  // namespace sluice::fileq
