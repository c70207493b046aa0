// Embedding, sequence masks, padding and nearest upsampling (MXNet Embedding, SequenceMask, Pad,
// UpSampling), with the scatter-adds that are the gradients of the gathers:
//   embedding(indices, weight)        out[..., :] = weight[clip(indices[...]), :]
//   embedding_grad(g, indices)        zeros(inputDim, outputDim), g's rows added at the indices
//   pad(x) / pad_grad(g)              numpy.pad constant/edge/reflect and its adjoint
// Each gather's gradient is its scatter and the other way round, so gradients of gradients work.
#include <algorithm>
#include <cstring>
#include <string>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/tensor/indices.h"
#include "core/ops/ops.h"

namespace ndgrad {

namespace {

using namespace ops;

// body(i0, i1) over [0, n) items of `cost` elements each, split over the pool when large.
template <class F>
void for_items(Runtime& env, size_t n, size_t cost, F&& body) {
  size_t grain = cost >= kParallelGrain ? 1 : kParallelGrain / std::max<size_t>(cost, 1) + 1;
  if (n < 2 * grain) body(size_t{0}, n);
  else env.thread_pool().parallel_range(n, grain, body);
}

void require_float(const Tensor& x, const char* op, const char* arg) {
  if (!dtype_is_float(x.dtype)) {
    throw_type(std::string(op) + ": " + arg + " must be float32 or float64, got " + dtype_name(x.dtype));
  }
}

// ---- embedding -----------------------------------------------------------------------------------

struct EmbeddingParams {
  int64_t input_dim = 0;
  int64_t output_dim = 0;
};

void check_weight(const Shape& w, const EmbeddingParams& p, const char* op) {
  if (w.size() != 2 || w[0] != p.input_dim || w[1] != p.output_dim) {
    throw_range(std::string(op) + ": weight must have shape (inputDim, outputDim) = (" + std::to_string(p.input_dim) +
                ", " + std::to_string(p.output_dim) + "), got " + shape_str(w));
  }
}

void infer_embedding(const OpCall& c, OutSpecs& outs) {
  const EmbeddingParams& p = c.params<EmbeddingParams>();
  check_weight(c.in[1].shape, p, "embedding");
  require_float(c.in[1], "embedding", "weight");
  Shape out = c.in[0].shape;
  out.push_back(p.output_dim);
  outs.push_back({out, c.in[1].dtype});
}

void fwd_embedding(OpCall& c) {
  const Tensor& indices = c.in[0];
  const Tensor& w = c.in[1];
  size_t rows = static_cast<size_t>(indices.size());
  size_t bytes = static_cast<size_t>(w.shape[1]) * dtype_size(w.dtype);
  int64_t n = w.shape[0];
  const char* src = static_cast<const char*>(w.raw());
  char* dst = static_cast<char*>(c.out[0].raw());
  visit_dtype(indices.dtype, [&](auto zero) {
    using I = decltype(zero);
    const I* idx = indices.data<I>();
    for_items(c.env, rows, bytes / 4, [&](size_t r0, size_t r1) {
      for (size_t r = r0; r < r1; ++r) {
        size_t k = static_cast<size_t>(resolve_index(idx[r], n, IndexMode::Clip));
        std::memcpy(dst + r * bytes, src + k * bytes, bytes);
      }
    });
  });
}

void infer_embedding_grad(const OpCall& c, OutSpecs& outs) {
  const EmbeddingParams& p = c.params<EmbeddingParams>();
  Shape expect = c.in[1].shape;
  expect.push_back(p.output_dim);
  if (c.in[0].shape != expect) {
    throw_range("embedding_grad: gradient shape " + shape_str(c.in[0].shape) + " does not match " + shape_str(expect) +
                ", the shape embedding gives for indices " + shape_str(c.in[1].shape));
  }
  require_float(c.in[0], "embedding_grad", "gradient");
  outs.push_back({Shape{p.input_dim, p.output_dim}, c.in[0].dtype});
}

// Threads own column blocks of the weight gradient, so repeated indices never race.
void fwd_embedding_grad(OpCall& c) {
  const Tensor& g = c.in[0];
  const Tensor& indices = c.in[1];
  Tensor& out = c.out[0];
  fill_into(c.env, out, 0.0);
  size_t rows = static_cast<size_t>(indices.size());
  size_t dim = static_cast<size_t>(out.shape[1]);
  int64_t n = out.shape[0];
  constexpr size_t kBlock = 64;
  size_t blocks = (dim + kBlock - 1) / kBlock;
  visit_dtype(indices.dtype, [&](auto izero) {
    using I = decltype(izero);
    const I* idx = indices.data<I>();
    visit_dtype(g.dtype, [&](auto zero) {
      using T = decltype(zero);
      const T* src = g.data<T>();
      T* dst = out.data<T>();
      for_items(c.env, blocks, rows * kBlock, [&](size_t b0, size_t b1) {
        size_t j0 = b0 * kBlock, j1 = std::min(dim, b1 * kBlock);
        for (size_t r = 0; r < rows; ++r) {
          size_t k = static_cast<size_t>(resolve_index(idx[r], n, IndexMode::Clip));
          const T* from = src + r * dim;
          T* to = dst + k * dim;
          for (size_t j = j0; j < j1; ++j) to[j] += from[j];
        }
      });
    });
  });
}

Grads d_embedding(BackwardCtx& c) {
  return {ArrayRef(), invoke1(c.env, OpId::embedding_grad, {c.grad(), c.input(0)}, c.params<EmbeddingParams>())};
}

Grads d_embedding_grad(BackwardCtx& c) {
  return {invoke1(c.env, OpId::embedding, {c.input(1), c.grad()}, c.params<EmbeddingParams>()), ArrayRef()};
}

// ---- sequence_mask: x[t, b, ...] = value where t >= length[b] (axis 0; axis 1 swaps t and b) ----

struct SequenceMaskParams {
  bool use_sequence_length = false;
  double value = 0;
  int64_t axis = 0;
};

void infer_sequence_mask(const OpCall& c, OutSpecs& outs) {
  const SequenceMaskParams& p = c.params<SequenceMaskParams>();
  const Tensor& x = c.in[0];
  size_t want = p.use_sequence_length ? 2 : 1;
  if (c.num_inputs != want) {
    throw_range(std::string("sequence_mask: useSequenceLength ") + (p.use_sequence_length ? "true" : "false") +
                " takes " + std::to_string(want) + " input(s), got " + std::to_string(c.num_inputs) +
                (p.use_sequence_length ? " (pass sequenceLength)" : " (set useSequenceLength: true to use sequenceLength)"));
  }
  if (x.ndim() < 2) throw_range("sequence_mask: data must have at least 2 axes, got " + shape_str(x.shape));
  if (p.use_sequence_length) {
    int64_t batch = x.shape[p.axis == 0 ? 1 : 0];
    if (c.in[1].shape != Shape{batch}) {
      throw_range("sequence_mask: sequenceLength must have shape (" + std::to_string(batch) + ",) for data " +
                  shape_str(x.shape) + " and axis " + std::to_string(p.axis) + ", got " + shape_str(c.in[1].shape));
    }
  }
  outs.push_back({x.shape, x.dtype});
}

void fwd_sequence_mask(OpCall& c) {
  const SequenceMaskParams& p = c.params<SequenceMaskParams>();
  const Tensor& x = c.in[0];
  Tensor& y = c.out[0];
  cast_into(c.env, x, y);
  if (!p.use_sequence_length) return;
  size_t d0 = static_cast<size_t>(x.shape[0]), d1 = static_cast<size_t>(x.shape[1]);
  size_t inner = d0 * d1 == 0 ? 0 : static_cast<size_t>(x.size()) / (d0 * d1);
  visit_dtype(c.in[1].dtype, [&](auto izero) {
    using I = decltype(izero);
    const I* len = c.in[1].data<I>();
    visit_dtype(x.dtype, [&](auto zero) {
      using T = decltype(zero);
      T* out = y.data<T>();
      T value = static_cast<T>(p.value);
      for (size_t a = 0; a < d0; ++a) {
        for (size_t b = 0; b < d1; ++b) {
          size_t t = p.axis == 0 ? a : b;
          int64_t n = truncate_index(len[p.axis == 0 ? b : a]);
          if (static_cast<int64_t>(t) < n) continue;
          std::fill(out + (a * d1 + b) * inner, out + (a * d1 + b + 1) * inner, value);
        }
      }
    });
  });
}

Grads d_sequence_mask(BackwardCtx& c) {
  SequenceMaskParams p = c.params<SequenceMaskParams>();
  if (!p.use_sequence_length) return {c.grad()};
  p.value = 0;
  return {invoke1(c.env, OpId::sequence_mask, {c.grad(), c.input(1)}, p), ArrayRef()};
}

// ---- pad (MXNet Pad: 4-D or 5-D, the last 2 or 3 axes) -------------------------------------------

enum PadMode : int { kConstant, kEdge, kReflect };

struct PadParams {
  int mode = kConstant;
  Shape pad_width;
  double constant_value = 0;
};

// Validates the padding against the unpadded shape (MXNet's rules).
void check_pad(const Shape& x, const PadParams& p, const char* op) {
  if (x.size() != 4 && x.size() != 5) {
    throw_range(std::string(op) + ": data must be 4-D or 5-D (MXNet Pad), got " + shape_str(x));
  }
  if (p.pad_width.size() != 2 * x.size()) {
    throw_range(std::string(op) + ": padWidth must hold " + std::to_string(2 * x.size()) +
                " numbers, a (before, after) pair per axis of " + shape_str(x) + ", got " +
                std::to_string(p.pad_width.size()));
  }
  for (int64_t w : p.pad_width) {
    if (w < 0) throw_range(std::string(op) + ": padWidth must not be negative, got " + shape_str(p.pad_width));
  }
  for (int i = 0; i < 4; ++i) {
    if (p.pad_width[i] != 0) {
      throw_range(std::string(op) + ": padWidth must be 0 on the first two axes (batch, channel), got " +
                  shape_str(p.pad_width));
    }
  }
  for (size_t a = 2; a < x.size(); ++a) {
    int64_t before = p.pad_width[2 * a], after = p.pad_width[2 * a + 1];
    if (p.mode == kReflect && (before >= x[a] || after >= x[a])) {
      throw_range(std::string(op) + ": reflect padding of axis " + std::to_string(a) + " must be smaller than its size " +
                  std::to_string(x[a]) + ", got (" + std::to_string(before) + ", " + std::to_string(after) + ")");
    }
    if (p.mode == kEdge && x[a] == 0 && before + after > 0) {
      throw_range(std::string(op) + ": edge padding of an empty axis " + std::to_string(a));
    }
  }
}

// For every padded-output index of every axis, its source index in x, or -1 (the constant).
std::vector<std::vector<int64_t>> pad_maps(const Shape& x, const PadParams& p) {
  std::vector<std::vector<int64_t>> maps(x.size());
  for (size_t a = 0; a < x.size(); ++a) {
    int64_t n = x[a], before = p.pad_width[2 * a], out = n + before + p.pad_width[2 * a + 1];
    for (int64_t o = 0; o < out; ++o) {
      int64_t i = o - before;
      if (i < 0 || i >= n) {
        if (p.mode == kConstant) i = -1;
        else if (p.mode == kEdge) i = i < 0 ? 0 : n - 1;
        else i = i < 0 ? -i : 2 * (n - 1) - i;
      }
      maps[a].push_back(i);
    }
  }
  return maps;
}

Shape padded_shape(const Shape& x, const PadParams& p) {
  Shape out = x;
  for (size_t a = 0; a < x.size(); ++a) out[a] += p.pad_width[2 * a] + p.pad_width[2 * a + 1];
  return out;
}

void infer_pad(const OpCall& c, OutSpecs& outs) {
  const PadParams& p = c.params<PadParams>();
  check_pad(c.in[0].shape, p, "pad");
  outs.push_back({padded_shape(c.in[0].shape, p), c.in[0].dtype});
}

// Walks the padded array plane by plane (a plane: one (batch, channel) pair, never shared between
// planes, so planes run in parallel even for the scatter). visit(out_offset, in_offset or -1).
template <class F>
void walk_padded(Runtime& env, const Shape& x, const PadParams& p, F&& visit) {
  auto maps = pad_maps(x, p);
  Shape out = padded_shape(x, p);
  size_t nd = x.size();
  size_t planes = static_cast<size_t>(out[0] * out[1]);
  size_t out_plane = 1, in_plane = 1;
  for (size_t a = 2; a < nd; ++a) {
    out_plane *= static_cast<size_t>(out[a]);
    in_plane *= static_cast<size_t>(x[a]);
  }
  for_items(env, planes, out_plane, [&](size_t q0, size_t q1) {
    for (size_t q = q0; q < q1; ++q) {
      for (size_t o = 0; o < out_plane; ++o) {
        // source offset within the plane, from the coordinates of o (last axis fastest)
        size_t rem = o, in_off = 0, stride = 1;
        bool constant = false;
        for (size_t a = nd - 1; a >= 2; --a) {
          size_t coord = rem % static_cast<size_t>(out[a]);
          rem /= static_cast<size_t>(out[a]);
          int64_t i = maps[a][coord];
          if (i < 0) constant = true;
          in_off += static_cast<size_t>(i < 0 ? 0 : i) * stride;
          stride *= static_cast<size_t>(x[a]);
        }
        visit(q * out_plane + o, constant ? int64_t{-1} : static_cast<int64_t>(q * in_plane + in_off));
      }
    }
  });
}

void fwd_pad(OpCall& c) {
  const PadParams& p = c.params<PadParams>();
  visit_dtype(c.in[0].dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* x = c.in[0].data<T>();
    T* y = c.out[0].data<T>();
    T value = static_cast<T>(p.constant_value);
    walk_padded(c.env, c.in[0].shape, p, [&](size_t o, int64_t i) { y[o] = i < 0 ? value : x[i]; });
  });
}

// pad_grad(g): the unpadded shape; every element of g added to the element it was copied from.
Shape unpadded_shape(const Shape& g, const PadParams& p, const char* op) {
  if (p.pad_width.size() != 2 * g.size()) {
    throw_range(std::string(op) + ": padWidth must hold " + std::to_string(2 * g.size()) + " numbers");
  }
  Shape x = g;
  for (size_t a = 0; a < g.size(); ++a) {
    x[a] -= p.pad_width[2 * a] + p.pad_width[2 * a + 1];
    if (x[a] < 0) throw_range(std::string(op) + ": padWidth " + shape_str(p.pad_width) + " exceeds " + shape_str(g));
  }
  return x;
}

void infer_pad_grad(const OpCall& c, OutSpecs& outs) {
  const PadParams& p = c.params<PadParams>();
  Shape x = unpadded_shape(c.in[0].shape, p, "pad_grad");
  check_pad(x, p, "pad_grad");
  require_float(c.in[0], "pad_grad", "gradient");
  outs.push_back({x, c.in[0].dtype});
}

void fwd_pad_grad(OpCall& c) {
  const PadParams& p = c.params<PadParams>();
  Tensor& out = c.out[0];
  fill_into(c.env, out, 0.0);
  visit_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* g = c.in[0].data<T>();
    T* x = out.data<T>();
    walk_padded(c.env, out.shape, p, [&](size_t o, int64_t i) {
      if (i >= 0) x[i] += g[o];
    });
  });
}

Grads d_pad(BackwardCtx& c) { return {invoke1(c.env, OpId::pad_grad, {c.grad()}, c.params<PadParams>())}; }

Grads d_pad_grad(BackwardCtx& c) {
  PadParams p = c.params<PadParams>();
  p.constant_value = 0;
  return {invoke1(c.env, OpId::pad, {c.grad()}, p)};
}

// ---- up_sampling (MXNet UpSampling, nearest): y[n, c, h s + i, w s + j] = x[n, c, h, w] ----------

enum Sample : int { kNearest, kBilinear };

struct UpSamplingParams {
  int64_t scale = 1;
  int sample_type = kNearest;
  int64_t num_args = 1;
};

void infer_up_sampling(const OpCall& c, OutSpecs& outs) {
  const UpSamplingParams& p = c.params<UpSamplingParams>();
  const Tensor& x = c.in[0];
  if (p.sample_type == kBilinear) {
    throw_range("up_sampling: sampleType 'bilinear' is not supported (MXNet computes it as a deconvolution with a "
                "weight input); use 'nearest'");
  }
  if (x.ndim() != 4) throw_range("up_sampling: data must be 4-D (batch, channel, height, width), got " + shape_str(x.shape));
  outs.push_back({Shape{x.shape[0], x.shape[1], x.shape[2] * p.scale, x.shape[3] * p.scale}, x.dtype});
}

void fwd_up_sampling(OpCall& c) {
  const Tensor& x = c.in[0];
  size_t s = static_cast<size_t>(c.params<UpSamplingParams>().scale);
  size_t rows = static_cast<size_t>(x.shape[0] * x.shape[1] * x.shape[2]);
  size_t w = static_cast<size_t>(x.shape[3]);
  visit_dtype(x.dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* src = x.data<T>();
    T* dst = c.out[0].data<T>();
    size_t ow = w * s;
    for_items(c.env, rows, ow * s, [&](size_t r0, size_t r1) {
      for (size_t r = r0; r < r1; ++r) {
        T* first = dst + r * s * ow;
        const T* in = src + r * w;
        for (size_t j = 0; j < w; ++j) std::fill(first + j * s, first + (j + 1) * s, in[j]);
        for (size_t i = 1; i < s; ++i) std::memcpy(first + i * ow, first, ow * sizeof(T));
      }
    });
  });
}

// The sum of each s x s block: g as (n, c, h, s, w, s) summed over the two s axes.
Grads d_up_sampling(BackwardCtx& c) {
  Runtime& e = c.env;
  int64_t s = c.params<UpSamplingParams>().scale;
  Shape x = c.input_shape(0);
  ArrayRef blocks = reshape(e, c.grad(), Shape{x[0], x[1], x[2], s, x[3], s});
  return {invoke1(e, OpId::sum, {blocks}, ReduceParams{{3, 5}, true, false})};
}

// ---- field tables -----------------------------------------------------------------------------------

const FieldDef kEmbeddingFields[] = {
    field<&EmbeddingParams::input_dim>("inputDim", "the number of rows of weight (the vocabulary size)")
        .alias("input_dim").require().positive(),
    field<&EmbeddingParams::output_dim>("outputDim", "the length of each embedding vector")
        .alias("output_dim").require().positive(),
    ignored_field("dtype", "MXNet's weight dtype; the weight array's own dtype is used"),
    ignored_field("sparseGrad", "MXNet's row-sparse gradient switch; the gradient here is dense").alias("sparse_grad"),
};
const FieldDef kSequenceMaskFields[] = {
    field<&SequenceMaskParams::use_sequence_length>("useSequenceLength", "mask with the sequenceLength input")
        .alias("use_sequence_length").set_default(0),
    field<&SequenceMaskParams::value>("value", "the value written at masked positions").set_default(0),
    field<&SequenceMaskParams::axis>("axis", "the sequence axis: 0 (time, batch, ...) or 1 (batch, time, ...)")
        .set_default(0).range(0, 1),
};
const FieldDef kPadFields[] = {
    field<&PadParams::mode>("mode", "what fills the padding").one_of("constant edge reflect").set_default(kConstant),
    field<&PadParams::pad_width>("padWidth", "(before, after) per axis, flattened; zero on the first two axes")
        .alias("pad_width").require(),
    field<&PadParams::constant_value>("constantValue", "the fill of mode 'constant'").alias("constant_value").set_default(0),
};
const FieldDef kUpSamplingFields[] = {
    field<&UpSamplingParams::scale>("scale", "the factor of height and width").require().range(1, 1 << 16),
    field<&UpSamplingParams::sample_type>("sampleType", "how new pixels are made ('bilinear' is not supported)")
        .one_of("nearest bilinear").alias("sample_type").set_default(kNearest),
    field<&UpSamplingParams::num_args>("numArgs", "the number of inputs (one: MXNet's multi-input form is not supported)")
        .alias("num_args").set_default(1).range(1, 1),
    ignored_field("numFilter", "bilinear only (MXNet)").alias("num_filter"),
    ignored_field("multiInputMode", "several inputs only (MXNet)").alias("multi_input_mode"),
    ignored_field("workspace", "MXNet's scratch-memory limit"),
};

}  // namespace

void define_embed_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::embedding, 2, infer_embedding, fwd_embedding, d_embedding, kSaveInputs);
  define_op(table, OpId::embedding_grad, 2, infer_embedding_grad, fwd_embedding_grad, d_embedding_grad, kSaveInputs);
  set_params<EmbeddingParams>(table, OpId::embedding, kEmbeddingFields);
  set_params<EmbeddingParams>(table, OpId::embedding_grad, kEmbeddingFields);
  define_op(table, OpId::sequence_mask, -1, infer_sequence_mask, fwd_sequence_mask, d_sequence_mask, kSaveInputs);
  set_params<SequenceMaskParams>(table, OpId::sequence_mask, kSequenceMaskFields);
  define_op(table, OpId::pad, 1, infer_pad, fwd_pad, d_pad, 0);
  define_op(table, OpId::pad_grad, 1, infer_pad_grad, fwd_pad_grad, d_pad_grad, 0);
  set_params<PadParams>(table, OpId::pad, kPadFields);
  set_params<PadParams>(table, OpId::pad_grad, kPadFields);
  define_op(table, OpId::up_sampling, 1, infer_up_sampling, fwd_up_sampling, d_up_sampling, 0);
  set_params<UpSamplingParams>(table, OpId::up_sampling, kUpSamplingFields);
}

}  // namespace ndgrad
