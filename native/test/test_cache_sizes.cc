// The last-level cache size as the kernel lists cpu0's caches (core/runtime/cache_sizes.h): the
// collections of results left to the collector are paced by it (binding/young_collections.h).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "check.h"
#include "core/runtime/cache_sizes.h"

namespace {

// A directory laid out as /sys/devices/system/cpu/cpu0/cache, removed by the destructor.
struct FakeCacheDir {
  std::string dir;
  int entries = 0;
  FakeCacheDir() {
    char tmpl[] = "/tmp/ndgrad-cache-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  void add(int level, const char* type, const char* size) {
    std::string index = dir + "/index" + std::to_string(entries++);
    mkdir(index.c_str(), 0700);
    write(index + "/level", std::to_string(level) + "\n");
    write(index + "/type", std::string(type) + "\n");
    write(index + "/size", std::string(size) + "\n");
  }
  static void write(const std::string& path, const std::string& text) {
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs(text.c_str(), f);
    std::fclose(f);
  }
  ~FakeCacheDir() {
    for (int i = 0; i < entries; ++i) {
      std::string index = dir + "/index" + std::to_string(i);
      for (const char* f : {"/level", "/type", "/size"}) std::remove((index + f).c_str());
      rmdir(index.c_str());
    }
    rmdir(dir.c_str());
  }
};

}  // namespace

TEST(cache_sizes_the_highest_level_data_or_unified_cache) {
  FakeCacheDir d;  // the session-12 machine's cpu0
  d.add(1, "Data", "32K");
  d.add(1, "Instruction", "32K");
  d.add(2, "Unified", "1024K");
  d.add(3, "Unified", "32768K");
  CHECK_EQ(ndgrad::last_level_cache_bytes(d.dir), size_t{32} << 20);
}

TEST(cache_sizes_instruction_caches_and_bad_entries_do_not_count) {
  FakeCacheDir d;
  d.add(1, "Data", "48K");
  d.add(2, "Unified", "2M");
  d.add(3, "Instruction", "64M");  // not a data cache
  d.add(4, "Unified", "lots");     // unreadable size
  CHECK_EQ(ndgrad::last_level_cache_bytes(d.dir), size_t{2} << 20);
}

TEST(cache_sizes_unknown_without_a_description) {
  FakeCacheDir d;
  CHECK_EQ(ndgrad::last_level_cache_bytes(d.dir), size_t{0});
  CHECK_EQ(ndgrad::last_level_cache_bytes(d.dir + "/missing"), size_t{0});
}
