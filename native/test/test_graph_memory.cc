// The memory behind the graph: slab free lists (blocks reused, whole slabs given back) and the
// packed shapes of a node (inline for small ops, spilled to the heap for many or deep tensors).
#include <cstdint>
#include <set>
#include <vector>

#include "check.h"
#include "core/tensor/array.h"
#include "core/runtime/free_list.h"
#include "core/autograd/tensor_metas.h"

namespace {

using ndgrad::DType;
using ndgrad::FreeList;
using ndgrad::Shape;
using ndgrad::TensorMetas;

// A size no other code uses, so this test owns the list.
using List = FreeList<192>;

}  // namespace

TEST(free_list_reuses_released_blocks_first) {
  if (!List::kRecycles) return;  // AddressSanitizer build: plain allocations
  void* a = List::take();
  void* b = List::take();
  CHECK(a != b);
  List::give(b);
  CHECK(List::take() == b);  // last released, first reused: it is the one in cache
  List::give(a);
  List::give(b);
}

TEST(free_list_blocks_are_distinct_and_aligned) {
  std::vector<void*> blocks;
  std::set<void*> seen;
  for (int i = 0; i < 5000; ++i) {
    void* p = List::take();
    CHECK(reinterpret_cast<uintptr_t>(p) % 64 == 0);  // 192 is whole lines: line-aligned
    CHECK(seen.insert(p).second);
    static_cast<char*>(p)[191] = 1;  // the whole block is ours
    blocks.push_back(p);
  }
  for (void* p : blocks) List::give(p);
}

TEST(free_list_counts_the_blocks_in_use_in_either_mode) {
  // live() is what the binding's graph pace compares across collections (young_collections.h):
  // it must count in the AddressSanitizer build too, and across a sweep.
  const size_t before = List::live();
  std::vector<void*> blocks;
  for (int i = 0; i < 1000; ++i) blocks.push_back(List::take());
  CHECK(List::live() == before + 1000);
  for (int i = 0; i < 400; ++i) {
    List::give(blocks.back());
    blocks.pop_back();
  }
  CHECK(List::live() == before + 600);
  for (void* p : blocks) List::give(p);
  CHECK(List::live() == before);
}

TEST(free_list_gives_whole_slabs_back) {
  if (!List::kRecycles) return;
  // About 40 MiB of blocks, far beyond what the list keeps (4 MiB).
  const size_t n = (size_t{40} << 20) / 192;
  std::vector<void*> blocks(n);
  for (void*& p : blocks) p = List::take();
  size_t slabs_in_use = List::slabs();
  CHECK(slabs_in_use >= (size_t{40} << 20) / List::kSlabBytes);
  for (void* p : blocks) List::give(p);
  // Sweeps ran: what is left cached is bounded, not the 40 MiB just released.
  CHECK(List::cached() * 192 <= (size_t{9} << 20));
  CHECK(List::slabs() * List::kSlabBytes <= (size_t{10} << 20));
  CHECK(List::slabs() < slabs_in_use);
  // and what is left is still handed out correctly
  std::set<void*> again;
  for (size_t i = 0; i < n; ++i) CHECK(again.insert(List::take()).second);
  for (void* p : again) List::give(p);
}

TEST(tensor_metas_inline_and_spilled) {
  TensorMetas small;
  small.push_back(Shape{2, 2}, DType::Float32);
  small.push_back(Shape{2, 1}, DType::Float64);
  small.push_back(Shape{}, DType::Int32);
  CHECK_EQ(small.size(), size_t{3});
  CHECK(small.shape(0) == (Shape{2, 2}));
  CHECK(small.shape(1) == (Shape{2, 1}));
  CHECK(small.shape(2).empty());
  CHECK(small.dtype(1) == DType::Float64);
  CHECK(small.dtype(2) == DType::Int32);

  // more tensors than fit inline
  TensorMetas many;
  for (int64_t i = 0; i < 40; ++i) many.push_back(Shape{i, i + 1}, i % 2 ? DType::Uint8 : DType::Float32);
  for (int64_t i = 0; i < 40; ++i) {
    CHECK(many.shape(static_cast<size_t>(i)) == (Shape{i, i + 1}));
    CHECK(many.dtype(static_cast<size_t>(i)) == (i % 2 ? DType::Uint8 : DType::Float32));
  }

  // more dimensions than fit inline, spilling in the middle of a node
  TensorMetas deep;
  deep.push_back(Shape{3, 4}, DType::Float64);
  deep.push_back(Shape{1, 2, 3, 4, 5, 6, 7}, DType::Float32);
  deep.push_back(Shape{7}, DType::Int32);
  CHECK(deep.shape(0) == (Shape{3, 4}));
  CHECK(deep.shape(1) == (Shape{1, 2, 3, 4, 5, 6, 7}));
  CHECK(deep.shape(2) == (Shape{7}));
  CHECK(deep.dtype(0) == DType::Float64);
  CHECK(deep.dtype(2) == DType::Int32);
}

TEST(tensor_metas_same_shape_shares_dims) {
  // an elementwise op's inputs and result: one copy of the dimensions, three tensors, inline
  TensorMetas same;
  for (int k = 0; k < 3; ++k) same.push_back(Shape{2, 3, 4, 5, 6}, DType::Float64);
  CHECK_EQ(same.size(), size_t{3});
  CHECK(!same.spilled());
  for (size_t i = 0; i < 3; ++i) {
    CHECK(same.shape(i) == (Shape{2, 3, 4, 5, 6}));
    CHECK(same.dtype(i) == DType::Float64);
  }
  // one shape, two dtypes: the dimensions are shared too
  TensorMetas cmp;
  cmp.push_back(Shape{3, 3, 3}, DType::Float32);
  cmp.push_back(Shape{3, 3, 3}, DType::Float32);
  cmp.push_back(Shape{3, 3, 3}, DType::Uint8);
  CHECK(!cmp.spilled());
  CHECK(cmp.dtype(2) == DType::Uint8);
  CHECK(cmp.shape(2) == (Shape{3, 3, 3}));
  // only the previous tensor's dimensions are shared: a different shape in between stores again
  TensorMetas apart;
  apart.push_back(Shape{4, 4, 4}, DType::Float32);
  apart.push_back(Shape{2}, DType::Float32);
  apart.push_back(Shape{4, 4, 4}, DType::Float32);
  CHECK(!apart.spilled());
  CHECK(apart.shape(1) == (Shape{2}));
  CHECK(apart.shape(2) == (Shape{4, 4, 4}));
  // dimensions that fit inline only once go out of line, one copy each
  TensorMetas deep;
  deep.push_back(Shape{1, 2, 3, 4, 5, 6, 7, 8, 9}, DType::Int32);
  deep.push_back(Shape{1, 2, 3, 4, 5, 6, 7, 8, 9}, DType::Int32);
  CHECK(deep.spilled());
  CHECK_EQ(deep.size(), size_t{2});
  CHECK(deep.shape(0) == (Shape{1, 2, 3, 4, 5, 6, 7, 8, 9}));
  CHECK(deep.shape(1) == (Shape{1, 2, 3, 4, 5, 6, 7, 8, 9}));
  // a spill after shared dimensions keeps them
  TensorMetas mixed;
  mixed.push_back(Shape{4, 5}, DType::Float32);
  mixed.push_back(Shape{4, 5}, DType::Float32);
  mixed.push_back(Shape{1, 2, 3, 4, 5, 6, 7}, DType::Uint8);
  mixed.push_back(Shape{3}, DType::Int32);
  CHECK(mixed.spilled());
  CHECK(mixed.shape(0) == (Shape{4, 5}));
  CHECK(mixed.shape(1) == (Shape{4, 5}));
  CHECK(mixed.shape(2) == (Shape{1, 2, 3, 4, 5, 6, 7}));
  CHECK(mixed.shape(3) == (Shape{3}));
  CHECK(mixed.dtype(2) == DType::Uint8);
}

// assign_same's form (rank and dtype in the header, the dimensions at the start of the room):
// read back as push_back stores them, and spread out into push_back's form by a later push_back,
// inline or spilling.
TEST(tensor_metas_assign_same_form) {
  const Shape shapes[] = {Shape{}, Shape{5}, Shape{2, 3}, Shape{2, 3, 4}, Shape{9, 8, 7, 6},
                          Shape{1, 2, 3, 4, 5, 6, 7, 8}};
  for (const Shape& shape : shapes) {
    for (size_t count : {size_t{1}, size_t{2}, size_t{3}}) {
      TensorMetas same;
      same.assign_same(count, shape, DType::Float64);
      TensorMetas pushed;
      for (size_t i = 0; i < count; ++i) pushed.push_back(shape, DType::Float64);
      CHECK(!same.spilled());
      CHECK_EQ(same.size(), count);
      for (size_t i = 0; i < count; ++i) {
        CHECK(same.shape(i) == shape && same.shape(i) == pushed.shape(i));
        CHECK(same.dtype(i) == DType::Float64);
      }
      // one more tensor of another shape and dtype: inline while it fits, else spilled
      same.push_back(Shape{7}, DType::Int32);
      pushed.push_back(Shape{7}, DType::Int32);
      CHECK_EQ(same.size(), count + 1);
      CHECK(same.spilled() == pushed.spilled());
      CHECK(same.spilled() == (count == 3 || shape.size() == 8));
      for (size_t i = 0; i <= count; ++i) {
        CHECK(same.shape(i) == pushed.shape(i));
        CHECK(same.dtype(i) == pushed.dtype(i));
      }
      CHECK(same.shape(count) == (Shape{7}) && same.dtype(count) == DType::Int32);
      CHECK(same.shape(0) == shape && same.dtype(0) == DType::Float64);
    }
  }
  // beyond the inline room: push_back's path
  TensorMetas many;
  many.assign_same(4, Shape{2, 2}, DType::Uint8);
  CHECK(many.spilled() && many.size() == 4);
  for (size_t i = 0; i < 4; ++i) CHECK(many.shape(i) == (Shape{2, 2}) && many.dtype(i) == DType::Uint8);
  TensorMetas deep;
  deep.assign_same(2, Shape{1, 2, 3, 4, 5, 6, 7, 8, 9}, DType::Int32);
  CHECK(deep.spilled() && deep.size() == 2);
  CHECK(deep.shape(1) == (Shape{1, 2, 3, 4, 5, 6, 7, 8, 9}) && deep.dtype(1) == DType::Int32);
}

TEST(node_is_four_cache_lines) {
  CHECK_EQ(sizeof(ndgrad::Node) <= 256, true);
  CHECK_EQ(ndgrad::kNodeBytes, size_t{256});
}
