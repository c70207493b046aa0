// The storage pool: blocks of a dead array are what the next array of the same size class gets,
// large blocks are mapped on 2 MiB boundaries (for transparent huge pages), and the live-memory
// counts the binding reports to V8 stay exact.
#include <sys/resource.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "check.h"
#include "core/runtime/sanitizer.h"
#include "core/runtime/storage.h"

namespace {

using ndgrad::MemoryStats;
using ndgrad::Ref;
using ndgrad::Storage;
using ndgrad::StoragePool;

constexpr uintptr_t kHugePage = uintptr_t{2} << 20;

}  // namespace

TEST(storage_reuses_a_dead_block_of_the_same_class) {
  if (ndgrad::kExactStorageBlocks) return;  // an ASan build pools nothing (sanitizer.h)
  auto stats = ndgrad::make_ref<MemoryStats>();
  auto pool = ndgrad::make_ref<StoragePool>(stats);
  for (size_t bytes : {size_t{1000}, size_t{400000}, size_t{4000000}}) {
    Ref<Storage> a = pool->allocate(bytes);
    void* data = a->data();
    std::memset(data, 1, bytes);
    a.reset();
    Ref<Storage> b = pool->allocate(bytes - 8);  // same class: the block just freed, already faulted in
    CHECK(b->data() == data);
  }
}

TEST(storage_a_full_cache_drops_larger_blocks_for_a_smaller_one) {
  if (ndgrad::kExactStorageBlocks) return;  // an ASan build pools nothing (sanitizer.h)
  auto stats = ndgrad::make_ref<MemoryStats>();
  auto pool = ndgrad::make_ref<StoragePool>(stats);
  {
    // four 64 MiB blocks fill the 256 MiB cache once they die
    Ref<Storage> big[4];
    for (auto& b : big) b = pool->allocate(size_t{64} << 20);
  }
  Ref<Storage> a = pool->allocate(size_t{3} << 20);  // a mapped 4 MiB block
  char* data = static_cast<char*>(a->data());
  std::memset(data, 0x5a, size_t{3} << 20);
  a.reset();
  Ref<Storage> b = pool->allocate(size_t{3} << 20);
  // the same block, its pages still there (a released one would come back as fresh zero pages)
  CHECK(b->data() == data);
  CHECK_EQ(static_cast<int>(static_cast<char*>(b->data())[1 << 20]), 0x5a);
  b.reset();
  pool->trim();
}

static long minor_faults() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

// A loop of 1e7-element results left to the collector holds six to ten 40 MiB blocks, and after
// a loop of 1e6-element ones the cache also holds their 4 MiB blocks. Blocks that do not fit
// (the smaller classes' first, then the ones beyond the 256 MiB) are kept lazily freed, so the
// next results reuse them without faults; they went back to the system, and each block reused
// cost 20 faults (10,240 without huge pages), 40 MiB zeroed.
TEST(storage_blocks_beyond_the_cache_are_reused_without_faults) {
  if (ndgrad::kExactStorageBlocks) return;  // an ASan build pools nothing (sanitizer.h)
  auto stats = ndgrad::make_ref<MemoryStats>();
  auto pool = ndgrad::make_ref<StoragePool>(stats);
  const size_t mib = size_t{1} << 20;
  {
    std::vector<Ref<Storage>> small;
    for (int i = 0; i < 23; ++i) small.push_back(pool->allocate(4 * mib));  // 92 MiB cached once dead
  }
  std::vector<Ref<Storage>> big;
  for (int i = 0; i < 9; ++i) {
    big.push_back(pool->allocate(40000000));
    std::memset(big.back()->data(), 1, big.back()->bytes());
  }
  big.clear();
  long before = minor_faults();
  for (int i = 0; i < 9; ++i) {
    big.push_back(pool->allocate(40000000));
    std::memset(big.back()->data(), 2, big.back()->bytes());
  }
  // before: four fitted beside the 4 MiB blocks, five came back as fresh pages (100 faults)
  CHECK(minor_faults() - before < 20);
  big.clear();
  pool->trim();
}

// Above 8 MiB the classes step by a quarter of a power of two: a 1e7-element float32 array
// (38.1 MiB) takes a 40 MiB block, not a 64 MiB one (the bytes V8 is told of, and the cache's room).
TEST(storage_classes_above_8_mib_step_by_a_quarter) {
  if (ndgrad::kExactStorageBlocks) return;  // an ASan build pools nothing (sanitizer.h)
  auto stats = ndgrad::make_ref<MemoryStats>();
  auto pool = ndgrad::make_ref<StoragePool>(stats);
  const size_t mib = size_t{1} << 20;
  const size_t cases[][2] = {{3 * mib, 4 * mib},           {8 * mib, 8 * mib},   {8 * mib + 1, 10 * mib},
                             {12 * mib, 12 * mib},         {17 * mib, 20 * mib}, {40000000, 40 * mib},
                             {48 * mib + 1, 56 * mib},     {64 * mib, 64 * mib}, {64 * mib + 1, 64 * mib + 1}};
  for (const auto& c : cases) {
    Ref<Storage> s = pool->allocate(c[0]);
    CHECK_EQ(s->bytes(), c[1]);
  }
  // a dead 40 MiB block is what the next array of 32-40 MiB gets
  Ref<Storage> a = pool->allocate(40000000);
  void* data = a->data();
  a.reset();
  Ref<Storage> b = pool->allocate(33 * mib);
  CHECK(b->data() == data);
  b.reset();
  pool->trim();
}

TEST(storage_large_buffers_start_on_huge_page_boundaries) {
  if (ndgrad::kExactStorageBlocks) return;  // an ASan build pools nothing (sanitizer.h)
  auto stats = ndgrad::make_ref<MemoryStats>();
  auto pool = ndgrad::make_ref<StoragePool>(stats);
  // pooled (3 MB -> 4 MiB class), exactly a class, and unpooled (above the 64 MiB class)
  for (size_t bytes : {size_t{3} << 20, size_t{4} << 20, size_t{80} << 20}) {
    Ref<Storage> s = pool->allocate(bytes);
    CHECK_EQ(reinterpret_cast<uintptr_t>(s->data()) % kHugePage, uintptr_t{0});
    char* p = static_cast<char*>(s->data());
    p[0] = 1;
    p[s->bytes() - 1] = 2;  // the whole class is mapped
  }
  pool->trim();
}

TEST(storage_counts_stay_exact) {
  auto stats = ndgrad::make_ref<MemoryStats>();
  auto pool = ndgrad::make_ref<StoragePool>(stats);
  {
    Ref<Storage> small = pool->allocate(100);              // 128-byte class
    Ref<Storage> large = pool->allocate(size_t{5} << 20);  // 8 MiB class
    Ref<Storage> huge = pool->allocate(size_t{70} << 20);  // unpooled: exactly its bytes
    int64_t expect = (ndgrad::kExactStorageBlocks ? 100 + (int64_t{5} << 20) : 128 + (int64_t{8} << 20)) + (int64_t{70} << 20);
    CHECK_EQ(stats->live_buffers(), int64_t{3});
    CHECK_EQ(stats->live_bytes(), expect);
    CHECK_EQ(stats->pending(), expect);
  }
  CHECK_EQ(stats->live_buffers(), int64_t{0});
  CHECK_EQ(stats->live_bytes(), int64_t{0});
  CHECK_EQ(stats->pending(), int64_t{0});
}

// Small blocks freed on the pool's own thread go to a stack of its own (no mutex); beyond its depth,
// and on other threads, they go to the shared lists. Every path hands blocks back and counts them.
TEST(storage_small_blocks_on_the_owner_thread_and_on_others) {
  if (ndgrad::kExactStorageBlocks) return;  // an ASan build pools nothing (sanitizer.h)
  auto stats = ndgrad::make_ref<MemoryStats>();
  auto pool = ndgrad::make_ref<StoragePool>(stats);
  {
    std::vector<Ref<Storage>> many;
    for (int i = 0; i < 300; ++i) many.push_back(pool->allocate(16));  // more than a stack holds
    CHECK_EQ(stats->live_buffers(), int64_t{300});
  }
  CHECK_EQ(stats->live_buffers(), int64_t{0});
  CHECK_EQ(stats->live_bytes(), int64_t{0});
  Ref<Storage> a = pool->allocate(16);
  void* data = a->data();
  a.reset();
  CHECK(pool->allocate(16)->data() == data);  // the last block freed comes back first
  int64_t handed_out = stats->allocations();
  Ref<Storage> made_here = pool->allocate(200);
  void* elsewhere = nullptr;
  std::thread other([&] {
    made_here.reset();  // freed on another thread: to the shared list
    Ref<Storage> b = pool->allocate(200);
    elsewhere = b->data();
    std::memset(elsewhere, 3, 200);
  });
  other.join();
  CHECK(elsewhere != nullptr);
  // Counted here in plain fields and there in atomic ones: the figures are their sums.
  CHECK_EQ(stats->allocations(), handed_out + 2);
  CHECK_EQ(stats->live_buffers(), int64_t{0});
  CHECK_EQ(stats->live_bytes(), int64_t{0});
  CHECK_EQ(stats->pending(), int64_t{0});
  pool->trim();
}

// Under ASan (sanitizer.h) a block is exactly the array's bytes, apart from the header, so ASan's
// redzones sit right after the last element and before the first; a zero-size array still has
// a data pointer of its own.
TEST(storage_asan_blocks_are_exact) {
  if (!ndgrad::kExactStorageBlocks) return;
  auto stats = ndgrad::make_ref<MemoryStats>();
  auto pool = ndgrad::make_ref<StoragePool>(stats);
  {
    Ref<Storage> a = pool->allocate(100);
    Ref<Storage> empty = pool->allocate(0);
    Ref<Storage> empty2 = pool->allocate(0);
    CHECK_EQ(a->bytes(), size_t{100});
    CHECK_EQ(empty->bytes(), size_t{0});
    CHECK(empty->data() != nullptr && empty->data() != empty2->data());
    CHECK(static_cast<void*>(a.get()) != a->data());
    std::memset(a->data(), 1, 100);
    CHECK_EQ(stats->live_bytes(), int64_t{100});
  }
  CHECK_EQ(stats->live_buffers(), int64_t{0});
  CHECK_EQ(stats->live_bytes(), int64_t{0});
}
