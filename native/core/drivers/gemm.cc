// Matrix product driver in the GotoBLAS / BLIS shape: for each nc-wide column panel and kc-deep
// slice of k, B is packed, then mc-row blocks of A are packed (or read in place when the panel is
// narrow) and swept by the micro-kernel (docs/gemm.md). Each thread takes one block of C with its
// own packing, except large products on pools of three or more threads, which share each packed B
// panel among threads. Small or vector-shaped products skip packing (the per-ISA direct kernel);
// integer products are plain wrapping loops.
//
// Determinism: the k blocking depends on k alone and every C element is one micro-kernel chain
// per k slice, so how rows and columns are shared out among threads never changes a bit.
#include "core/drivers/gemm.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "core/runtime/scratch.h"
#include "core/runtime/thread_pool.h"
#include "kernels/gemm_kernels.h"

namespace ndgrad {
namespace {

using kernels::GemmOps;

size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }
size_t round_up(size_t a, size_t b) { return ceil_div(a, b) * b; }

// Below this many multiply-adds packing costs more than it saves (docs/gemm.md).
constexpr double kDirectMaxMacs = 12.0 * 12 * 12;
// Below this many multiply-adds waking the pool (about 10 us per parallel_for) costs more than
// splitting saves.
constexpr double kParallelMinMacs = 1 << 20;
// The same for packed products. 128^3 (2^21) is the first size split: on the Zen 4 VM it takes
// 39-41 us on one thread and 21-24 us on two, back to back as a loop calls it (session 12); the
// Intel VM of sessions 1-11 measured 26 us on one and 30-40 us on two when the threshold was 2^22
// (docs/gemm.md).
constexpr double kPackedParallelMinMacs = 1 << 21;
// From this many multiply-adds (64^3: 4.8 us on one Zen 4 core) a smaller packed product is split
// over the workers polling on another CPU at the call (ThreadPool::ready_workers): a round starts
// on them within a microsecond or two, where waking a sleeping one costs the caller more than
// the split saves (docs/gemm.md, "Threads and determinism").
constexpr double kPackedReadyParallelMinMacs = 1 << 18;
// A strided vector operand at least this long is copied once to unit stride.
constexpr size_t kCopyVectorMin = 16;
// From this many multiply-adds (512^3), pools of more than two threads share packed B panels and
// balance row blocks dynamically; below, and always with two threads, each thread takes one block
// of C in a single pool round. On the 2-core Zen 4 VM two threads sharing one B panel (each packs
// half, each reads all of it) took 13% more CPU than two blocks that pack their own B (1024^3 in
// 11.1 against 10.2 ms; docs/gemm.md, "Threads and determinism").
constexpr double kSharedPanelsMinMacs = double(1 << 27);
constexpr size_t kSharedPanelsMinThreads = 3;
// Panels at most this many B slivers wide read op(A) in place rather than packing it.
constexpr size_t kInPlaceAMaxSlivers = 16;
// A row-major op(B) slice of at most this many bytes is read in place rather than packed.
constexpr size_t kInPlaceBMaxBytes = 32 << 10;
// Column blocks of the direct path are split at multiples of this, a multiple of every vector
// chunk width the kernels use, so each element keeps its vector/tail treatment.
constexpr size_t kDirectColumnQuantum = 64;

// op(X)(r, col) = p[r * rs + col * cs].
template <class T>
struct Strided {
  const T* p;
  size_t rs, cs;
  Strided transposed() const { return {p, cs, rs}; }
};

thread_local Scratch t_packed_b;  // the calling thread's B panel, read by every task
thread_local Scratch t_packed_a;  // the A block of whichever task this thread is running

// A run of rows of one block computed with one tile height: read in place, or packed into
// zero-padded slivers at `packed` (a ragged last run, or every run when A is packed).
template <class T>
struct RowRun {
  const typename GemmOps<T>::Tile* tile;
  size_t i0, rows;
  const T* packed;
};

// Cuts rows [0, m) into runs of whole tiles (main tiles, then each shorter tile as often as it
// fits) and a last run of the smallest tile that covers what is left, which must be packed.
// Returns the number of runs (at most 4).
template <class T>
size_t plan_rows(const GemmOps<T>& ops, const typename GemmOps<T>::Tile& main, size_t m,
                 RowRun<T>* runs) {
  size_t count = 0, i = 0;
  auto add = [&](const typename GemmOps<T>::Tile& tile, size_t rows) {
    runs[count++] = {&tile, i, rows, nullptr};
    i += rows;
  };
  if (m >= main.rows) add(main, m / main.rows * main.rows);
  const typename GemmOps<T>::Tile* smallest = &main;
  for (const auto& tile : ops.short_tiles) {
    if (tile.rows == 0) continue;
    smallest = &tile;
    if (m - i >= tile.rows) add(tile, (m - i) / tile.rows * tile.rows);
  }
  if (i < m) add(*smallest, m - i);
  return count;
}

// Whether the micro-kernel should read op(A) where it lies instead of packing it: packing pays off
// only when each packed block is reused across many B slivers; with few (a narrow panel, or a
// thread's share of one) the pack is a pass over A for little gain.
bool read_a_in_place(size_t n_slivers) { return n_slivers <= kInPlaceAMaxSlivers; }

// Whether the micro-kernel should read a row-major op(B) slice where it lies: when the whole
// slice sits in L1 the pack is a copy for nothing; a larger slice read with its row stride would
// spread each sliver over few cache sets and evict itself.
template <class T>
bool read_b_in_place(Strided<T> b, size_t k_slice, size_t n_panel) {
  return b.cs == 1 && k_slice * n_panel * sizeof(T) <= kInPlaceBMaxBytes;
}

// Calls kernel(s, row...) for every B sliver s in [s0, s1) and every row tile that
// each_row_tile(f) names by calling f(row...), in the order of ops.sliver_group
// (gemm_kernels.h): sliver-major, or row-major over groups of that many slivers.
template <class EachRowTile, class Kernel>
void sweep_tiles(size_t sliver_group, size_t s0, size_t s1, EachRowTile&& each_row_tile,
                 Kernel&& kernel) {
  if (sliver_group == 0) {
    for (size_t s = s0; s < s1; ++s) each_row_tile([&](auto... row) { kernel(s, row...); });
    return;
  }
  for (size_t g = s0; g < s1; g += sliver_group) {
    const size_t end = std::min(s1, g + sliver_group);
    each_row_tile([&](auto... row) {
      for (size_t s = g; s < end; ++s) kernel(s, row...);
    });
  }
}

// The serial GotoBLAS loops over one block of C, with the calling thread's packing buffers.
template <class T>
void gemm_block(const GemmOps<T>& ops, size_t m, size_t n, size_t k, Strided<T> a, Strided<T> b,
                T* c, size_t ldc, bool accumulate) {
  using Tile = typename GemmOps<T>::Tile;
  const size_t mr = ops.mr, nr = ops.nr;
  const Tile main{mr, ops.micro, ops.micro_rows, ops.pack_a};
  // Even slices (k = 257 gives 129 + 128, not 256 + 1), and likewise for row blocks and panels.
  const size_t kc = ceil_div(k, ceil_div(k, ops.kc));
  const size_t nc = round_up(ceil_div(n, ceil_div(n, ops.nc)), nr);
  const size_t mc = round_up(ceil_div(m, ceil_div(m, ops.mc)), mr);
  T* packed_b = t_packed_b.get<T>(kc * nc);
  // Runs round up to their tile: at most mr - 1 rows of padding per block.
  T* packed_a = t_packed_a.get<T>((mc + mr) * kc);
  for (size_t jc = 0; jc < n; jc += nc) {
    const size_t n_panel = std::min(nc, n - jc);
    const size_t n_slivers = ceil_div(n_panel, nr);
    const bool a_in_place = read_a_in_place(n_slivers);
    for (size_t pc = 0; pc < k; pc += kc) {
      const size_t k_slice = std::min(kc, k - pc);
      const bool add_to_c = accumulate || pc > 0;
      const T* b_slice = b.p + pc * b.rs + jc * b.cs;
      // Read in place, only a ragged last sliver is packed (the kernel reads all nr columns).
      const size_t n_in_place = read_b_in_place(b, k_slice, n_panel) ? n_panel / nr * nr : 0;
      ops.pack_b(k_slice, n_panel - n_in_place, b_slice + n_in_place * b.cs, b.rs, b.cs,
                 packed_b);
      for (size_t ic = 0; ic < m; ic += mc) {
        const size_t m_block = std::min(mc, m - ic);
        const T* a_block = a.p + ic * a.rs + pc * a.cs;
        RowRun<T> runs[4];
        const size_t n_runs = plan_rows(ops, main, m_block, runs);
        T* pack_at = packed_a;
        for (size_t r = 0; r < n_runs; ++r) {
          RowRun<T>& run = runs[r];
          if (a_in_place && run.rows % run.tile->rows == 0) continue;
          run.tile->pack_a(run.rows, k_slice, a_block + run.i0 * a.rs, a.rs, a.cs, pack_at);
          run.packed = pack_at;
          pack_at += round_up(run.rows, run.tile->rows) * k_slice;
        }
        auto each_row_tile = [&](auto&& f) {
          for (size_t r = 0; r < n_runs; ++r)
            for (size_t i = runs[r].i0; i < runs[r].i0 + runs[r].rows; i += runs[r].tile->rows)
              f(&runs[r], i);
        };
        sweep_tiles(ops.sliver_group, 0, n_slivers, each_row_tile,
                    [&](size_t s, const RowRun<T>* run, size_t i) {
          const size_t j = s * nr, n_valid = std::min(nr, n_panel - j);
          const bool b_packed = j >= n_in_place;
          const T* b_sliver = b_packed ? packed_b + (j - n_in_place) * k_slice : b_slice + j;
          const size_t b_stride = b_packed ? nr : b.rs;
          const size_t h = run->tile->rows, end = run->i0 + run->rows;
          T* c_tile = c + (ic + i) * ldc + jc + j;
          if (run->packed)
            run->tile->micro(k_slice, run->packed + (i - run->i0) * k_slice, h, b_sliver,
                             b_stride, c_tile, ldc, std::min(h, end - i), n_valid, add_to_c);
          else if (a.cs == 1)
            run->tile->micro_rows(k_slice, a_block + i * a.rs, a.rs, b_sliver, b_stride, c_tile,
                                  ldc, h, n_valid, add_to_c);
          else
            run->tile->micro(k_slice, a_block + i * a.rs, a.cs, b_sliver, b_stride, c_tile, ldc,
                             h, n_valid, add_to_c);
        });
      }
    }
  }
}

// Large products: each B panel is packed once by all threads together, then the row blocks
// (about mc rows each, a multiple of the thread count of them, plus a column split when there
// are too few) are handed out one at a time, so a thread that was descheduled takes fewer. Two
// pool rounds per k slice, negligible next to the product at this size.
template <class T>
void gemm_shared_panels(ThreadPool& pool, const GemmOps<T>& ops, size_t m, size_t n, size_t k,
                        Strided<T> a, Strided<T> b, T* c, size_t ldc, bool accumulate) {
  const size_t mr = ops.mr, nr = ops.nr;
  const size_t kc = ceil_div(k, ceil_div(k, ops.kc));
  const size_t nc = round_up(ceil_div(n, ceil_div(n, ops.nc)), nr);
  const size_t threads = pool.num_threads();
  const size_t m_tiles = ceil_div(m, mr);
  size_t row_parts = std::min(m_tiles, ceil_div(m, ops.mc));
  size_t col_parts = 1;
  if (row_parts >= threads)
    row_parts = std::min(m_tiles, round_up(row_parts, threads));
  else
    col_parts = ceil_div(threads, row_parts);

  T* packed_b = t_packed_b.get<T>(kc * nc);
  for (size_t jc = 0; jc < n; jc += nc) {
    const size_t n_panel = std::min(nc, n - jc);
    const size_t n_slivers = ceil_div(n_panel, nr);
    const size_t parts = std::min(col_parts, n_slivers);
    const size_t pack_tasks = std::min(threads, n_slivers);
    for (size_t pc = 0; pc < k; pc += kc) {
      const size_t k_slice = std::min(kc, k - pc);
      const bool add_to_c = accumulate || pc > 0;
      pool.parallel_for(pack_tasks, [&](size_t t) {
        size_t s0 = n_slivers * t / pack_tasks, s1 = n_slivers * (t + 1) / pack_tasks;
        size_t j0 = s0 * nr, j1 = std::min(n_panel, s1 * nr);
        ops.pack_b(k_slice, j1 - j0, b.p + pc * b.rs + (jc + j0) * b.cs, b.rs, b.cs,
                   packed_b + j0 * k_slice);
      });
      pool.parallel_for(row_parts * parts, [&](size_t t) {
        size_t rp = t / parts, cp = t % parts;
        size_t i0 = m_tiles * rp / row_parts * mr;
        size_t i1 = std::min(m, m_tiles * (rp + 1) / row_parts * mr);
        size_t s0 = n_slivers * cp / parts, s1 = n_slivers * (cp + 1) / parts;
        T* packed_a = t_packed_a.get<T>(round_up(i1 - i0, mr) * k_slice);
        ops.pack_a(i1 - i0, k_slice, a.p + i0 * a.rs + pc * a.cs, a.rs, a.cs, packed_a);
        auto each_row_tile = [&](auto&& f) {
          for (size_t i = i0; i < i1; i += mr) f(i);
        };
        sweep_tiles(ops.sliver_group, s0, s1, each_row_tile, [&](size_t s, size_t i) {
          size_t j = s * nr, n_valid = std::min(nr, n_panel - j);
          ops.micro(k_slice, packed_a + (i - i0) * k_slice, mr, packed_b + j * k_slice, nr,
                    c + i * ldc + jc + j, ldc, std::min(mr, i1 - i), n_valid, add_to_c);
        });
      });
    }
  }
}

// Whether to cut C into column blocks rather than row blocks. Each thread packs (or reads) the
// whole operand it shares, so a row split packs all of op(B) once per thread; a column split
// packs a share of it, and costs nothing more on op(A) while op(A) rows are read in place from
// every column block (a row-major A, at most kInPlaceAMaxSlivers slivers wide: square products
// up to 512). Otherwise C is cut along its longer side: a transposed A read in place from
// narrower column blocks made 784 x 64 . 64 x 256 10% slower, and a packed A would be packed
// whole by every thread.
template <class T>
bool split_columns(const GemmOps<T>& ops, size_t m, size_t n, size_t k, Strided<T> a,
                   Strided<T> b) {
  if (m < n) return true;
  const size_t kc = ceil_div(k, ceil_div(k, ops.kc));
  return a.cs == 1 && read_a_in_place(ceil_div(n, ops.nr)) &&
         !read_b_in_place(b, kc, std::min(n, ops.nc));
}

// Smaller products: `threads` threads (those of the pool, or fewer) share C out in one
// parallel_for, each block the serial loops above with its own packing: one wake-up per call
// instead of two per k slice, at the price of every thread packing (or reading) the operand it
// shares (split_columns chooses the cut).
template <class T>
void gemm_packed(ThreadPool& pool, size_t threads, const GemmOps<T>& ops, size_t m, size_t n,
                 size_t k, Strided<T> a, Strided<T> b, T* c, size_t ldc, bool accumulate) {
  if (threads <= 1) {
    gemm_block(ops, m, n, k, a, b, c, ldc, accumulate);
    return;
  }
  if (threads >= kSharedPanelsMinThreads &&
      double(m) * double(n) * double(k) >= kSharedPanelsMinMacs) {
    gemm_shared_panels(pool, ops, m, n, k, a, b, c, ldc, accumulate);
    return;
  }
  if (!split_columns(ops, m, n, k, a, b)) {
    const size_t tiles = ceil_div(m, ops.mr), parts = std::min(threads, tiles);
    pool.parallel_for(parts, [&](size_t t) {
      size_t i0 = tiles * t / parts * ops.mr, i1 = std::min(m, tiles * (t + 1) / parts * ops.mr);
      gemm_block(ops, i1 - i0, n, k, Strided<T>{a.p + i0 * a.rs, a.rs, a.cs}, b, c + i0 * ldc,
                 ldc, accumulate);
    });
  } else {
    const size_t slivers = ceil_div(n, ops.nr), parts = std::min(threads, slivers);
    pool.parallel_for(parts, [&](size_t t) {
      size_t j0 = slivers * t / parts * ops.nr;
      size_t j1 = std::min(n, slivers * (t + 1) / parts * ops.nr);
      gemm_block(ops, m, j1 - j0, k, a, Strided<T>{b.p + j0 * b.cs, b.rs, b.cs}, c + j0, ldc,
                 accumulate);
    });
  }
}

// How well the direct kernel reads a layout: 2 when op(B) rows are contiguous and at least half
// a register tile wide, 1 when op(A) rows and op(B) columns are both contiguous (dot products),
// else 0 (packing is the better way to reorder the data).
template <class T>
int direct_layout_score(const GemmOps<T>& ops, size_t n, Strided<T> a, Strided<T> b) {
  if (b.cs == 1 && 2 * n >= ops.nr) return 2;
  return a.cs == 1 && b.rs == 1 ? 1 : 0;
}

// The direct kernel's view of a product: either as given or as C^T = op(B)^T op(A)^T, whichever
// it reads better. A vector operand (m == 1 or n == 1) counts as contiguous: gemm_direct copies
// it to unit stride first.
struct DirectPlan {
  bool transpose;
  int score;
};

template <class T>
DirectPlan plan_direct(const GemmOps<T>& ops, size_t m, size_t n, size_t k, Strided<T> a,
                          Strided<T> b) {
  if (m == 1 && k >= kCopyVectorMin) a.cs = 1;
  if (n == 1 && k >= kCopyVectorMin) b.rs = 1;
  const int as_given = direct_layout_score(ops, n, a, b);
  const int transposed = direct_layout_score(ops, m, b.transposed(), a.transposed());
  return transposed > as_given ? DirectPlan{true, transposed} : DirectPlan{false, as_given};
}

template <class T>
void gemm_direct(ThreadPool& pool, bool parallel, const GemmOps<T>& ops, size_t m, size_t n,
                 size_t k, Strided<T> a, Strided<T> b, T* c, size_t c_rs, size_t c_cs,
                 bool accumulate) {
  const DirectPlan plan = plan_direct(ops, m, n, k, a, b);
  // A vector operand is read once per output element: give the kernel unit stride.
  std::vector<T> unit_vector;
  if (k >= kCopyVectorMin && ((m == 1 && a.cs != 1) || (n == 1 && b.rs != 1))) {
    const bool is_a = m == 1 && a.cs != 1;
    const Strided<T> v = is_a ? a : b.transposed();
    unit_vector.resize(k);
    for (size_t p = 0; p < k; ++p) unit_vector[p] = v.p[p * v.cs];
    if (is_a)
      a = {unit_vector.data(), k, 1};
    else
      b = {unit_vector.data(), 1, k};
  }
  if (plan.transpose) {
    std::swap(m, n);
    std::swap(a, b);
    a = a.transposed();
    b = b.transposed();
    std::swap(c_rs, c_cs);
  }

  if (!parallel) {
    ops.direct(m, n, k, a.p, a.rs, a.cs, b.p, b.rs, b.cs, c, c_rs, c_cs, accumulate);
    return;
  }
  // Split rows only when every thread gets several: the kernel shares each B read among up to
  // four rows, and a thread per row would read all of B once each.
  const size_t threads = pool.num_threads();
  if (m >= 4 * threads) {
    pool.parallel_for(threads, [&](size_t t) {
      size_t i0 = m * t / threads, i1 = m * (t + 1) / threads;
      ops.direct(i1 - i0, n, k, a.p + i0 * a.rs, a.rs, a.cs, b.p, b.rs, b.cs, c + i0 * c_rs,
                 c_rs, c_cs, accumulate);
    });
    return;
  }
  const size_t blocks = ceil_div(n, kDirectColumnQuantum);
  const size_t tasks = std::min(threads, blocks);
  pool.parallel_for(tasks, [&](size_t t) {
    size_t j0 = blocks * t / tasks * kDirectColumnQuantum;
    size_t j1 = std::min(n, blocks * (t + 1) / tasks * kDirectColumnQuantum);
    ops.direct(m, j1 - j0, k, a.p, a.rs, a.cs, b.p + j0 * b.cs, b.rs, b.cs, c + j0 * c_cs, c_rs,
               c_cs, accumulate);
  });
}

// How many threads a packed product of `macs` multiply-adds is split over.
size_t packed_threads(ThreadPool& pool, double macs) {
  if (pool.num_threads() == 1 || macs < kPackedReadyParallelMinMacs) return 1;
  if (macs >= kPackedParallelMinMacs) return pool.num_threads();
  return 1 + pool.ready_workers();
}

template <class T>
void gemm_float(ThreadPool& pool, const GemmOps<T>& ops, bool trans_a, bool trans_b, size_t m,
                size_t n, size_t k, const T* a, size_t lda, const T* b, size_t ldb, T* c,
                size_t ldc, bool accumulate) {
  const Strided<T> sa = trans_a ? Strided<T>{a, 1, lda} : Strided<T>{a, lda, 1};
  const Strided<T> sb = trans_b ? Strided<T>{b, 1, ldb} : Strided<T>{b, ldb, 1};
  const double macs = double(m) * double(n) * double(k);
  const bool threads = pool.num_threads() > 1;
  // Tiny products, and thin ones (narrower than a register tile) laid out so the direct kernel
  // streams them, skip packing.
  const bool thin = m < ops.mr || n < ops.nr;
  if (macs <= kDirectMaxMacs || (thin && plan_direct(ops, m, n, k, sa, sb).score > 0))
    gemm_direct(pool, threads && macs >= kParallelMinMacs, ops, m, n, k, sa, sb, c, ldc, 1,
                accumulate);
  else
    gemm_packed(pool, packed_threads(pool, macs), ops, m, n, k, sa, sb, c, ldc, accumulate);
}

// Unsigned arithmetic wraps by definition; the conversion back to T is modular.
template <class T>
void gemm_int(ThreadPool& pool, bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
              const T* a, size_t lda, const T* b, size_t ldb, T* c, size_t ldc, bool accumulate) {
  const Strided<T> sa = trans_a ? Strided<T>{a, 1, lda} : Strided<T>{a, lda, 1};
  const Strided<T> sb = trans_b ? Strided<T>{b, 1, ldb} : Strided<T>{b, ldb, 1};
  auto rows = [&](size_t i0, size_t i1) {
    for (size_t i = i0; i < i1; ++i) {
      T* ci = c + i * ldc;
      if (!accumulate) std::fill(ci, ci + n, T(0));
      for (size_t p = 0; p < k; ++p) {
        const uint32_t aip = uint32_t(sa.p[i * sa.rs + p * sa.cs]);
        const T* bp = sb.p + p * sb.rs;
        for (size_t j = 0; j < n; ++j) ci[j] = T(uint32_t(ci[j]) + aip * uint32_t(bp[j * sb.cs]));
      }
    }
  };
  const double macs = double(m) * double(n) * double(k);
  if (macs < kParallelMinMacs)
    rows(0, m);
  else
    pool.parallel_range(m, 1, rows);
}

const kernels::GemmKernels& kernels_at_most(kernels::Isa isa) {
  for (int i = static_cast<int>(isa); i > 0; --i)
    if (const auto* found = kernels::gemm_kernels_for(static_cast<kernels::Isa>(i))) return *found;
  return *kernels::gemm_kernels_for(kernels::Isa::Scalar);
}

}  // namespace

void gemm(ThreadPool& pool, kernels::Isa isa, DType dt, bool trans_a, bool trans_b, size_t m,
          size_t n, size_t k, const void* a, size_t lda, const void* b, size_t ldb, void* c,
          size_t ldc, bool accumulate) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (accumulate) return;
    static constexpr size_t kSize[kNumDTypes] = {sizeof(float), sizeof(double), sizeof(int32_t),
                                                 sizeof(uint8_t)};
    const size_t size = kSize[static_cast<int>(dt)];
    for (size_t i = 0; i < m; ++i) std::memset(static_cast<char*>(c) + i * ldc * size, 0, n * size);
    return;
  }
  switch (dt) {
    case DType::Float32:
      gemm_float(pool, kernels_at_most(isa).f32, trans_a, trans_b, m, n, k,
                 static_cast<const float*>(a), lda, static_cast<const float*>(b), ldb,
                 static_cast<float*>(c), ldc, accumulate);
      break;
    case DType::Float64:
      gemm_float(pool, kernels_at_most(isa).f64, trans_a, trans_b, m, n, k,
                 static_cast<const double*>(a), lda, static_cast<const double*>(b), ldb,
                 static_cast<double*>(c), ldc, accumulate);
      break;
    case DType::Int32:
      gemm_int(pool, trans_a, trans_b, m, n, k, static_cast<const int32_t*>(a), lda,
               static_cast<const int32_t*>(b), ldb, static_cast<int32_t*>(c), ldc, accumulate);
      break;
    case DType::Uint8:
      gemm_int(pool, trans_a, trans_b, m, n, k, static_cast<const uint8_t*>(a), lda,
               static_cast<const uint8_t*>(b), ldb, static_cast<uint8_t*>(c), ldc, accumulate);
      break;
  }
}

}  // namespace ndgrad
