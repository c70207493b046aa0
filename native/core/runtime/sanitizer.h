// Whether this build runs under AddressSanitizer, for the code that lays memory out differently
// there so that ASan sees what it would otherwise hide (storage.cc).
#pragma once

namespace ndgrad {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

// Under AddressSanitizer every array gets a block of exactly its size of its own, apart from its
// Storage header, and nothing is pooled: a read or write past an array's last element (or before
// its first, or any access to a zero-size array) then reaches ASan's redzone, where a size class
// would have hidden it in the class's slack and the header in front of the data, and a stale
// pointer into a freed array is reported instead of reading a recycled block. The sweep of
// test/degenerate-shapes.test.ts and the ASan fuzzer rely on it (docs/dev/fuzzing.md).
inline constexpr bool kExactStorageBlocks = kAddressSanitizer;

}  // namespace ndgrad
