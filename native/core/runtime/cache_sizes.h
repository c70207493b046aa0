// The size of the machine's last-level cache, as the kernel describes cpu0's caches
// (/sys/devices/system/cpu/cpu0/cache/index*/{level,type,size}). Not cpuid through glibc
// (sysconf(_SC_LEVEL3_CACHE_SIZE)): on the AMD EPYC VM of session 12 that reports 320 MiB for
// a 32 MiB L3, where the kernel reports 32 MiB.
#pragma once

#include <cstddef>
#include <string>

namespace ndgrad {

// The largest data or unified cache of the highest level listed under `dir` (a directory laid
// out as /sys/devices/system/cpu/cpu0/cache), in bytes; 0 when none can be read.
size_t last_level_cache_bytes(const std::string& dir);

// The same for cpu0, read once per process.
size_t last_level_cache_bytes();

}  // namespace ndgrad
