#include "core/runtime/cache_sizes.h"

#include <cstdio>
#include <cstdlib>

namespace ndgrad {

namespace {

// The first line of a small file, or "" when it cannot be read.
std::string first_line(const std::string& path) {
  std::string line;
  if (FILE* f = std::fopen(path.c_str(), "r")) {
    char buf[64];
    if (std::fgets(buf, sizeof buf, f)) line = buf;
    std::fclose(f);
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  return line;
}

// "32768K" (the kernel's form), "32M", "1024": bytes; 0 when malformed.
size_t parse_size(const std::string& text) {
  char* end = nullptr;
  unsigned long long n = std::strtoull(text.c_str(), &end, 10);
  if (end == text.c_str()) return 0;
  std::string unit(end);
  if (unit.empty()) return n;
  if (unit == "K") return n << 10;
  if (unit == "M") return n << 20;
  if (unit == "G") return n << 30;
  return 0;
}

}  // namespace

size_t last_level_cache_bytes(const std::string& dir) {
  int best_level = 0;
  size_t best = 0;
  for (int i = 0; i < 16; ++i) {
    std::string index = dir + "/index" + std::to_string(i) + "/";
    std::string level = first_line(index + "level");
    if (level.empty()) continue;
    std::string type = first_line(index + "type");
    if (type != "Data" && type != "Unified") continue;
    int l = std::atoi(level.c_str());
    size_t bytes = parse_size(first_line(index + "size"));
    if (l <= 0 || bytes == 0) continue;
    if (l > best_level || (l == best_level && bytes > best)) {
      best_level = l;
      best = bytes;
    }
  }
  return best;
}

size_t last_level_cache_bytes() {
  static const size_t bytes = last_level_cache_bytes("/sys/devices/system/cpu/cpu0/cache");
  return bytes;
}

}  // namespace ndgrad
