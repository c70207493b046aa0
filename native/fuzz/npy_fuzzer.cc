// libFuzzer target: nd.loadNpy's parser (core/file_formats.cc) on arbitrary bytes. The parser may
// reject its input with an ndgrad::Error; anything else (a crash, a sanitizer report, another
// exception, a layout outside the input) is a finding. Built and run by test/fuzz/parsers.js.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/runtime/error.h"
#include "core/io/file_formats.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    ndgrad::NpyLayout l = ndgrad::parse_npy(data, size, "input");
    if (l.array.offset > size || l.array.bytes > size - l.array.offset || l.array.shape.empty()) std::abort();
  } catch (const ndgrad::Error&) {
  }
  return 0;
}
