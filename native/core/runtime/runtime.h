// Everything one addon instance owns, its runtime: the storage pool (array buffers), the thread
// pool, the kernel table, the random generator and the autograd flags. Each Node environment (main
// thread, every worker_thread, every jest worker) gets its own Runtime through Napi::Addon
// instance data, so nothing here is a static global.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "kernels/kernels.h"
#include "core/runtime/random.h"
#include "core/runtime/storage.h"
#include "core/tensor/tensor.h"
#include "core/runtime/thread_pool.h"

namespace ndgrad {

struct Array;
struct Node;

struct Runtime {
  Runtime();
  ~Runtime();

  Ref<MemoryStats> stats;
  Ref<StoragePool> storage_pool;
  std::unique_ptr<ThreadPool> threads;  // created on first large op
  kernels::Isa isa;
  const kernels::KernelTable* k;
  Rng rng;

  bool recording = false;
  bool training = false;

  // Runs the backward of a custom (autograd.Function) node: one gradient per output in, one
  // per input out (null: none). Installed by the binding, which calls into JS.
  std::function<std::vector<Ref<Array>>(const Node&, const std::vector<Ref<Array>>&)>
      custom_backward;

  ThreadPool& thread_pool();
  Tensor empty(const Shape& shape, DType dt);
  Tensor zeros(const Shape& shape, DType dt);
  Tensor full(const Shape& shape, DType dt, double value);

  // Selects the kernel table; "" means the best the CPU supports. A request above what the CPU
  // supports falls back to the best supported one.
  void select_isa(const char* name);
};

}  // namespace ndgrad
