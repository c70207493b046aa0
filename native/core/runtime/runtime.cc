#include "core/runtime/runtime.h"

#include <cstdlib>
#include <cstring>

#include "core/runtime/error.h"

namespace ndgrad {

Runtime::Runtime() : stats(make_ref<MemoryStats>()), storage_pool(make_ref<StoragePool>(stats)) {
  const char* forced = std::getenv("NDGRAD_ISA");
  select_isa(forced ? forced : "");
}

Runtime::~Runtime() = default;

ThreadPool& Runtime::thread_pool() {
  if (!threads) threads = std::make_unique<ThreadPool>(0);
  return *threads;
}

void Runtime::select_isa(const char* name) {
  kernels::Isa best = kernels::best_supported_isa();
  kernels::Isa want = best;
  if (std::strcmp(name, "scalar") == 0) want = kernels::Isa::Scalar;
  else if (std::strcmp(name, "avx2") == 0) want = kernels::Isa::Avx2;
  else if (std::strcmp(name, "avx512") == 0) want = kernels::Isa::Avx512;
  if (static_cast<int>(want) > static_cast<int>(best)) want = best;
  isa = want;
  k = kernels::table_for(isa);
}

Tensor Runtime::empty(const Shape& shape, DType dt) {
  Tensor t;
  t.shape = shape;
  t.dtype = dt;
  // check_shape bounds the element count by 2^40, so the byte size cannot overflow.
  t.storage = storage_pool->allocate(static_cast<size_t>(shape_size(shape)) * dtype_size(dt));
  return t;
}

Tensor Runtime::zeros(const Shape& shape, DType dt) {
  Tensor t = empty(shape, dt);
  std::memset(t.raw(), 0, t.nbytes());
  return t;
}

Tensor Runtime::full(const Shape& shape, DType dt, double value) {
  Tensor t = empty(shape, dt);
  k->fill(dt, t.raw(), value, static_cast<size_t>(t.size()));
  return t;
}

}  // namespace ndgrad
