// Runs every TEST registered in this binary; prints "N passed, M failed" and exits non-zero on
// any failure. An optional argument filters tests by substring.
#include <cstring>
#include <exception>

#include "check.h"

int main(int argc, char** argv) {
  const char* filter = argc > 1 ? argv[1] : nullptr;
  int passed = 0, failed = 0;
  for (const auto& t : ndgrad_test::registry()) {
    if (filter && !std::strstr(t.name, filter)) continue;
    try {
      t.fn();
      ++passed;
    } catch (const std::exception& e) {
      ++failed;
      std::printf("FAIL %s\n  %s\n", t.name, e.what());
    }
  }
  std::printf("native-core: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
