// libFuzzer target: nd.load's parser (core/file_formats.cc) on arbitrary bytes. The parser may
// reject its input with an ndgrad::Error; anything else (a crash, a sanitizer report, another
// exception, a layout outside the input) is a finding. Built and run by test/fuzz/parsers.js.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/runtime/error.h"
#include "core/io/file_formats.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    ndgrad::ParamsLayout l = ndgrad::parse_params(data, size, "input");
    for (const ndgrad::ArrayLayout& a : l.arrays) {
      if (a.offset > size || a.bytes > size - a.offset) std::abort();
    }
    if (!l.names.empty() && l.names.size() != l.arrays.size()) std::abort();
  } catch (const ndgrad::Error&) {
  }
  return 0;
}
