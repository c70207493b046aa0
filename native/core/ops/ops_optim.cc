// Fused optimizer updates (MXNet 1.9's sgd_update, adam_update, ... and the multi-tensor forms):
// each writes the weight and its state arrays in place in one pass (kernels/optim_impl.inl),
// returns nothing of its own (the JS layer returns the weight) and is never recorded. The
// registry marks the inputs each one writes (set_writes), so the engine bumps their versions
// and refuses to write arrays of a graph being recorded.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <type_traits>
#include <string>
#include <vector>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/ops/ops.h"
#include "kernels/optim_kernels.h"

namespace ndgrad {

namespace {

using kernels::Update;
using kernels::UpdateArgs;

// ---- options ---------------------------------------------------------------------------------

// The options every update but LAMB's takes, in the order the kernels read them (p[0..3]).
#define NDGRAD_UPDATE_COMMON \
  double lr = 0;             \
  double wd = 0;             \
  double rescale_grad = 1;   \
  double clip_gradient = -1;

struct SgdParams {
  NDGRAD_UPDATE_COMMON
};
struct SgdMomParams {
  NDGRAD_UPDATE_COMMON
  double momentum = 0;
};
struct AdamParams {
  NDGRAD_UPDATE_COMMON
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
};
struct AdamWParams {
  NDGRAD_UPDATE_COMMON
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, eta = 1;
};
struct RmsPropParams {
  NDGRAD_UPDATE_COMMON
  double gamma1 = 0.95, epsilon = 1e-8, clip_weights = -1;
};
struct RmsPropAlexParams {
  NDGRAD_UPDATE_COMMON
  double gamma1 = 0.95, gamma2 = 0.9, epsilon = 1e-8, clip_weights = -1;
};
struct AdaGradParams {
  NDGRAD_UPDATE_COMMON
  double epsilon = 1e-7;
};
struct SignumParams {
  NDGRAD_UPDATE_COMMON
  double momentum = 0, wd_lh = 0;
};
struct FtrlParams {
  NDGRAD_UPDATE_COMMON
  double lamda1 = 0.01, beta = 1;
};
#undef NDGRAD_UPDATE_COMMON

struct LambPhase1Params {
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-6;
  int64_t t = 0;
  bool bias_correction = true;
  double wd = 0, rescale_grad = 1, clip_gradient = -1;
};
struct LambPhase2Params {
  double lr = 0, lower_bound = -1, upper_bound = -1;
};

// The multi-tensor forms: one learning rate and weight decay per weight.
struct MultiSgdParams {
  std::vector<double> lrs, wds;
  double momentum = 0, rescale_grad = 1, clip_gradient = -1;
  int64_t num_weights = 0;  // 0: as many as the inputs hold
};
struct MultiAdamWParams {
  std::vector<double> lrs, wds, etas;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, rescale_grad = 1, clip_gradient = -1;
  int64_t num_weights = 0;
};

template <class P>
constexpr FieldDef lr_field() {
  return field<&P::lr>("lr", "the learning rate").require();
}
template <class P>
constexpr FieldDef wd_field() {
  return field<&P::wd>("wd", "weight decay (L2 penalty coefficient)").set_default(0);
}
template <class P>
constexpr FieldDef rescale_field() {
  return field<&P::rescale_grad>("rescaleGrad", "the gradient is multiplied by this first").alias("rescale_grad").set_default(1);
}
template <class P>
constexpr FieldDef clip_field() {
  return field<&P::clip_gradient>("clipGradient", "clip the rescaled gradient to [-c, c]; negative: no clipping")
      .alias("clip_gradient")
      .set_default(-1);
}
template <class P>
constexpr FieldDef lazy_field() {
  return ignored_field("lazyUpdate", "MXNet's row-sparse option; dense gradients update every row").alias("lazy_update");
}
template <class P>
constexpr FieldDef epsilon_field(double def) {
  return field<&P::epsilon>("epsilon", "added to the denominator for numerical stability").set_default(def);
}
template <class P>
constexpr FieldDef momentum_field() {
  return field<&P::momentum>("momentum", "the momentum factor").set_default(0);
}
template <class P>
constexpr FieldDef beta1_field() {
  return field<&P::beta1>("beta1", "decay rate of the first moment").set_default(0.9);
}
template <class P>
constexpr FieldDef beta2_field() {
  return field<&P::beta2>("beta2", "decay rate of the second moment").set_default(0.999);
}
// The per-weight learning rates and weight decays of a multi-weight update.
template <class P>
constexpr FieldDef lrs_field() {
  return field<&P::lrs>("lrs", "the learning rate of each weight").require();
}
template <class P>
constexpr FieldDef wds_field() {
  return field<&P::wds>("wds", "the weight decay of each weight").require();
}
template <class P>
constexpr FieldDef clip_weights_field() {
  return field<&P::clip_weights>("clipWeights", "clip the updated weight to [-c, c]; negative: no clipping")
      .alias("clip_weights")
      .set_default(-1);
}

const FieldDef kSgdFields[] = {lr_field<SgdParams>(), wd_field<SgdParams>(), rescale_field<SgdParams>(),
                               clip_field<SgdParams>(), lazy_field<SgdParams>()};
// signsgd and NAG: their sibling's fields without lazyUpdate.
const FieldDef kSignSgdFields[] = {kSgdFields[0], kSgdFields[1], kSgdFields[2], kSgdFields[3]};
const FieldDef kSgdMomFields[] = {lr_field<SgdMomParams>(),      momentum_field<SgdMomParams>(), wd_field<SgdMomParams>(),
                                  rescale_field<SgdMomParams>(), clip_field<SgdMomParams>(),     lazy_field<SgdMomParams>()};
const FieldDef kNagFields[] = {kSgdMomFields[0], kSgdMomFields[1], kSgdMomFields[2], kSgdMomFields[3], kSgdMomFields[4]};
const FieldDef kAdamFields[] = {
    lr_field<AdamParams>(),
    beta1_field<AdamParams>(),
    beta2_field<AdamParams>(),
    epsilon_field<AdamParams>(1e-8),
    wd_field<AdamParams>(),
    rescale_field<AdamParams>(),
    clip_field<AdamParams>(),
    lazy_field<AdamParams>()};
// eta before beta2: a misspelt 'eta2' is nearer both, and the first listed wins.
const FieldDef kAdamWFields[] = {
    lr_field<AdamWParams>(),
    field<&AdamWParams::eta>("eta", "the learning-rate schedule multiplier of the whole step").set_default(1),
    beta1_field<AdamWParams>(),
    beta2_field<AdamWParams>(),
    epsilon_field<AdamWParams>(1e-8),
    wd_field<AdamWParams>(),
    rescale_field<AdamWParams>(),
    clip_field<AdamWParams>()};
const FieldDef kRmsPropFields[] = {
    lr_field<RmsPropParams>(),
    field<&RmsPropParams::gamma1>("gamma1", "decay rate of the squared-gradient average").set_default(0.95),
    epsilon_field<RmsPropParams>(1e-8),
    wd_field<RmsPropParams>(),
    rescale_field<RmsPropParams>(),
    clip_field<RmsPropParams>(),
    clip_weights_field<RmsPropParams>()};
const FieldDef kRmsPropAlexFields[] = {
    lr_field<RmsPropAlexParams>(),
    field<&RmsPropAlexParams::gamma1>("gamma1", "decay rate of the gradient averages").set_default(0.95),
    field<&RmsPropAlexParams::gamma2>("gamma2", "decay rate of the step (momentum)").set_default(0.9),
    epsilon_field<RmsPropAlexParams>(1e-8),
    wd_field<RmsPropAlexParams>(),
    rescale_field<RmsPropAlexParams>(),
    clip_field<RmsPropAlexParams>(),
    clip_weights_field<RmsPropAlexParams>()};
const FieldDef kAdaGradFields[] = {lr_field<AdaGradParams>(), epsilon_field<AdaGradParams>(1e-7),
                                   wd_field<AdaGradParams>(), rescale_field<AdaGradParams>(),
                                   clip_field<AdaGradParams>()};
const FieldDef kSignumFields[] = {
    lr_field<SignumParams>(),
    momentum_field<SignumParams>(),
    wd_field<SignumParams>(),
    rescale_field<SignumParams>(),
    clip_field<SignumParams>(),
    field<&SignumParams::wd_lh>("wdLh", "decoupled weight decay (Loshchilov and Hutter)").alias("wd_lh").set_default(0)};
const FieldDef kFtrlFields[] = {
    lr_field<FtrlParams>(),
    field<&FtrlParams::lamda1>("lamda1", "the L1 regularization coefficient").set_default(0.01),
    field<&FtrlParams::beta>("beta", "the per-coordinate learning-rate beta").set_default(1),
    wd_field<FtrlParams>(),
    rescale_field<FtrlParams>(),
    clip_field<FtrlParams>()};
const FieldDef kLambPhase1Fields[] = {
    beta1_field<LambPhase1Params>(),
    beta2_field<LambPhase1Params>(),
    epsilon_field<LambPhase1Params>(1e-6),
    field<&LambPhase1Params::t>("t", "the update count (for the bias correction)").require(),
    field<&LambPhase1Params::bias_correction>("biasCorrection", "divide the moments by 1 - beta^t")
        .alias("bias_correction")
        .set_default(1),
    field<&LambPhase1Params::wd>("wd", "weight decay (L2 penalty coefficient)").require(),
    rescale_field<LambPhase1Params>(),
    clip_field<LambPhase1Params>()};
const FieldDef kLambPhase2Fields[] = {
    lr_field<LambPhase2Params>(),
    field<&LambPhase2Params::lower_bound>("lowerBound", "lower limit of the weight norm; negative: none")
        .alias("lower_bound")
        .set_default(-1),
    field<&LambPhase2Params::upper_bound>("upperBound", "upper limit of the weight norm; negative: none")
        .alias("upper_bound")
        .set_default(-1)};

template <class P>
constexpr FieldDef num_weights_field() {
  return field<&P::num_weights>("numWeights", "the number of weights (0: as many as the inputs hold)")
      .alias("num_weights")
      .non_negative()
      .set_default(0);
}
const FieldDef kMultiSgdFields[] = {lrs_field<MultiSgdParams>(), wds_field<MultiSgdParams>(), rescale_field<MultiSgdParams>(),
                                    clip_field<MultiSgdParams>(), num_weights_field<MultiSgdParams>()};
const FieldDef kMultiSgdMomFields[] = {lrs_field<MultiSgdParams>(),      wds_field<MultiSgdParams>(),
                                       momentum_field<MultiSgdParams>(), rescale_field<MultiSgdParams>(),
                                       clip_field<MultiSgdParams>(),     num_weights_field<MultiSgdParams>()};
const FieldDef kMultiAdamWFields[] = {
    lrs_field<MultiAdamWParams>(),
    wds_field<MultiAdamWParams>(),
    field<&MultiAdamWParams::etas>("etas", "the schedule multiplier of each weight").require(),
    beta1_field<MultiAdamWParams>(),
    beta2_field<MultiAdamWParams>(),
    epsilon_field<MultiAdamWParams>(1e-8),
    rescale_field<MultiAdamWParams>(),
    clip_field<MultiAdamWParams>(),
    num_weights_field<MultiAdamWParams>()};

// ---- shape rules -----------------------------------------------------------------------------

// Every array of one update: float32 or float64, the weight's dtype and shape.
void check_group(const char* op, const Tensor* in, const char* const* names, size_t count) {
  const Tensor& w = in[0];
  if (!dtype_is_float(w.dtype)) {
    throw_type(std::string(op) + ": " + names[0] + " must be float32 or float64, got " + dtype_name(w.dtype));
  }
  for (size_t i = 1; i < count; ++i) {
    if (in[i].dtype != w.dtype) {
      throw_type(std::string(op) + ": " + names[i] + " is " + dtype_name(in[i].dtype) + " but " + names[0] + " is " +
                 dtype_name(w.dtype));
    }
    if (in[i].shape != w.shape) {
      throw_range(std::string(op) + ": " + names[i] + " has shape " + shape_str(in[i].shape) + " but " + names[0] +
                  " has shape " + shape_str(w.shape));
    }
  }
}

const char* const kSgdNames[] = {"weight", "grad"};
const char* const kMomNames[] = {"weight", "grad", "mom"};
const char* const kAdamNames[] = {"weight", "grad", "mean", "var"};
const char* const kRmsPropNames[] = {"weight", "grad", "n"};
const char* const kRmsPropAlexNames[] = {"weight", "grad", "n", "g", "delta"};
const char* const kAdaGradNames[] = {"weight", "grad", "history"};
const char* const kFtrlNames[] = {"weight", "grad", "z", "n"};
const char* const kLamb2Names[] = {"weight", "g"};

template <OpId Id, const char* const* Names, size_t N>
void infer_update(const OpCall& c, OutSpecs&) {
  check_group(op_def(Id).name, c.in, Names, N);
}

void infer_lamb1(const OpCall& c, OutSpecs& outs) {
  check_group("lamb_update_phase1", c.in, kAdamNames, 4);
  outs.push_back({c.in[0].shape, c.in[0].dtype});
}

void infer_lamb2(const OpCall& c, OutSpecs&) {
  const char* op = "lamb_update_phase2";
  check_group(op, c.in, kLamb2Names, 2);
  const char* norms[] = {"r1", "r2"};
  for (int i = 0; i < 2; ++i) {
    const Tensor& r = c.in[2 + i];
    if (r.size() != 1) {
      throw_range(std::string(op) + ": " + norms[i] + " must hold one number (a norm), got shape " + shape_str(r.shape));
    }
    if (!dtype_is_float(r.dtype)) throw_type(std::string(op) + ": " + norms[i] + " must be float32 or float64");
  }
}

// The multi-tensor forms: groups of `stride` inputs, one learning rate and decay (and eta) each.
template <class P>
size_t multi_count(const char* op, const OpCall& c, size_t stride, const char* const* names) {
  const P& p = c.params<P>();
  if (c.num_inputs == 0 || c.num_inputs % stride != 0) {
    throw_type(std::string(op) + ": expected groups of " + std::to_string(stride) + " inputs (" + names[0] +
               ", " + names[1] + (stride > 2 ? ", ..." : "") + "), got " + std::to_string(c.num_inputs) + " inputs");
  }
  size_t n = c.num_inputs / stride;
  if (p.num_weights != 0 && static_cast<size_t>(p.num_weights) != n) {
    throw_range(std::string(op) + ": numWeights is " + std::to_string(p.num_weights) + " but the inputs hold " +
                std::to_string(n) + " weights");
  }
  auto check_len = [&](const std::vector<double>& v, const char* name) {
    if (v.size() != n) {
      throw_range(std::string(op) + ": " + name + " has " + std::to_string(v.size()) + " entries for " +
                  std::to_string(n) + " weights");
    }
  };
  check_len(p.lrs, "lrs");
  check_len(p.wds, "wds");
  if constexpr (std::is_same_v<P, MultiAdamWParams>) check_len(p.etas, "etas");
  for (size_t i = 0; i < n; ++i) {
    std::vector<std::string> labelled;
    for (size_t k = 0; k < stride; ++k) labelled.push_back(std::string(names[k]) + "[" + std::to_string(i) + "]");
    std::vector<const char*> ptrs;
    for (const std::string& s : labelled) ptrs.push_back(s.c_str());
    check_group(op, c.in + i * stride, ptrs.data(), stride);
  }
  return n;
}

void infer_multi_sgd(const OpCall& c, OutSpecs&) { multi_count<MultiSgdParams>("multi_sgd_update", c, 2, kSgdNames); }
void infer_multi_sgd_mom(const OpCall& c, OutSpecs&) {
  multi_count<MultiSgdParams>("multi_sgd_mom_update", c, 3, kMomNames);
}
void infer_multi_adamw(const OpCall& c, OutSpecs&) {
  multi_count<MultiAdamWParams>("multi_adamw_update", c, 4, kAdamNames);
}

// ---- forward ---------------------------------------------------------------------------------

const kernels::OptimKernels& optim_kernels(kernels::Isa isa) {
  for (int i = static_cast<int>(isa); i > 0; --i)
    if (const auto* found = kernels::optim_kernels_for(static_cast<kernels::Isa>(i))) return *found;
  return *kernels::optim_kernels_for(kernels::Isa::Scalar);
}

// One update over one weight, split over the thread pool.
void run_update(Runtime& env, Update u, DType dt, const UpdateArgs& a, size_t n) {
  const kernels::OptimKernels& k = optim_kernels(env.isa);
  env.thread_pool().parallel_range(n, kParallelGrain, [&](size_t b, size_t e) { k.update(u, dt, a, b, e); });
}

UpdateArgs args_of(const OpCall& c, int num_states) {
  UpdateArgs a{};
  a.w = c.in[0].raw();
  a.g = c.in[1].raw();
  for (int k = 0; k < num_states; ++k) a.s[k] = c.in[2 + k].raw();
  return a;
}

template <class P>
void set_common(UpdateArgs& a, const P& p) {
  a.p[0] = p.lr;
  a.p[1] = p.wd;
  a.p[2] = p.rescale_grad;
  a.p[3] = p.clip_gradient;
}

// The kernel options past the common four, per parameter struct.
void set_extra(UpdateArgs&, const SgdParams&) {}
void set_extra(UpdateArgs& a, const SgdMomParams& p) { a.p[4] = p.momentum; }
void set_extra(UpdateArgs& a, const AdamParams& p) {
  a.p[4] = p.beta1;
  a.p[5] = p.beta2;
  a.p[6] = p.epsilon;
}
void set_extra(UpdateArgs& a, const AdamWParams& p) {
  a.p[4] = p.beta1;
  a.p[5] = p.beta2;
  a.p[6] = p.epsilon;
  a.p[7] = p.eta;
}
void set_extra(UpdateArgs& a, const RmsPropParams& p) {
  a.p[4] = p.gamma1;
  a.p[5] = p.epsilon;
  a.p[6] = p.clip_weights;
}
void set_extra(UpdateArgs& a, const RmsPropAlexParams& p) {
  a.p[4] = p.gamma1;
  a.p[5] = p.gamma2;
  a.p[6] = p.epsilon;
  a.p[7] = p.clip_weights;
}
void set_extra(UpdateArgs& a, const AdaGradParams& p) { a.p[4] = p.epsilon; }
void set_extra(UpdateArgs& a, const SignumParams& p) {
  a.p[4] = p.momentum;
  a.p[5] = p.wd_lh;
}
void set_extra(UpdateArgs& a, const FtrlParams& p) {
  a.p[4] = p.lamda1;
  a.p[5] = p.beta;
}

template <class P, Update U, int NumStates>
void fwd_update(OpCall& c) {
  const P& p = c.params<P>();
  // MXNet's adamw_update skips the step when the rescale factor is 0 or not finite (its loss
  // scaler's overflow signal).
  if (U == Update::AdamW && (p.rescale_grad == 0 || !std::isfinite(p.rescale_grad))) return;
  UpdateArgs a = args_of(c, NumStates);
  set_common(a, p);
  set_extra(a, p);
  run_update(c.env, U, c.in[0].dtype, a, static_cast<size_t>(c.in[0].size()));
}

void fwd_lamb1(OpCall& c) {
  const auto& p = c.params<LambPhase1Params>();
  UpdateArgs a = args_of(c, 2);
  a.out = c.out[0].raw();
  const double values[] = {p.wd,      p.rescale_grad,           p.clip_gradient,
                           p.beta1,   p.beta2,                  p.epsilon,
                           p.bias_correction ? 1.0 : 0.0,
                           // MXNet: DType beta1_t = std::pow(param.beta1, param.t)
                           std::pow(p.beta1, static_cast<double>(p.t)), std::pow(p.beta2, static_cast<double>(p.t))};
  for (size_t i = 0; i < std::size(values); ++i) a.p[i] = values[i];
  run_update(c.env, Update::LambPhase1, c.in[0].dtype, a, static_cast<size_t>(c.in[0].size()));
}

double read_one(const Tensor& t) {
  return t.dtype == DType::Float64 ? *t.data<double>() : static_cast<double>(*t.data<float>());
}

void fwd_lamb2(OpCall& c) {
  const auto& p = c.params<LambPhase2Params>();
  // MXNet's trust ratio: the weight norm r1 (bounded), over the direction norm r2.
  double r1 = read_one(c.in[2]), r2 = read_one(c.in[3]);
  if (p.lower_bound >= 0) r1 = std::max(r1, p.lower_bound);
  if (p.upper_bound >= 0) r1 = std::min(r1, p.upper_bound);
  UpdateArgs a = args_of(c, 0);
  a.p[0] = (r1 == 0 || r2 == 0) ? p.lr : p.lr * r1 / r2;
  run_update(c.env, Update::LambPhase2, c.in[0].dtype, a, static_cast<size_t>(c.in[0].size()));
}

// The multi-tensor forms cut every weight into chunks and run them all as one batch of tasks.
struct MultiTask {
  UpdateArgs args;
  DType dt;
  size_t begin, end;
};

void run_tasks(Runtime& env, Update u, const std::vector<MultiTask>& tasks) {
  const kernels::OptimKernels& k = optim_kernels(env.isa);
  env.thread_pool().parallel_for(tasks.size(), [&](size_t i) {
    const MultiTask& t = tasks[i];
    k.update(u, t.dt, t.args, t.begin, t.end);
  });
}

void add_chunks(std::vector<MultiTask>& tasks, const UpdateArgs& a, const Tensor& w) {
  const size_t n = static_cast<size_t>(w.size());
  for (size_t b = 0; b < n; b += kParallelGrain) tasks.push_back({a, w.dtype, b, std::min(n, b + kParallelGrain)});
}

template <bool Momentum>
void fwd_multi_sgd(OpCall& c) {
  const auto& p = c.params<MultiSgdParams>();
  const size_t stride = Momentum ? 3 : 2;
  std::vector<MultiTask> tasks;
  for (size_t i = 0; i * stride < c.num_inputs; ++i) {
    UpdateArgs a{};
    a.w = c.in[i * stride].raw();
    a.g = c.in[i * stride + 1].raw();
    if (Momentum) a.s[0] = c.in[i * stride + 2].raw();
    const double values[] = {p.lrs[i], p.wds[i], p.rescale_grad, p.clip_gradient, p.momentum};
    for (size_t k = 0; k < std::size(values); ++k) a.p[k] = values[k];
    add_chunks(tasks, a, c.in[i * stride]);
  }
  run_tasks(c.env, Momentum ? Update::SgdMom : Update::MultiSgd, tasks);
}

void fwd_multi_adamw(OpCall& c) {
  const auto& p = c.params<MultiAdamWParams>();
  if (p.rescale_grad == 0 || !std::isfinite(p.rescale_grad)) return;  // as adamw_update
  std::vector<MultiTask> tasks;
  for (size_t i = 0; i * 4 < c.num_inputs; ++i) {
    UpdateArgs a{};
    a.w = c.in[i * 4].raw();
    a.g = c.in[i * 4 + 1].raw();
    a.s[0] = c.in[i * 4 + 2].raw();
    a.s[1] = c.in[i * 4 + 3].raw();
    const double values[] = {p.lrs[i], p.wds[i], p.rescale_grad, p.clip_gradient,
                             p.beta1,  p.beta2,  p.epsilon,      p.etas[i]};
    for (size_t k = 0; k < std::size(values); ++k) a.p[k] = values[k];
    add_chunks(tasks, a, c.in[i * 4]);
  }
  run_tasks(c.env, Update::MultiAdamW, tasks);
}

// Input masks for set_writes: bit i is input i.
constexpr uint32_t kWeight = 1u << 0;
constexpr uint32_t states(int first, int count) { return ((1u << count) - 1u) << first; }

// One update op: never recorded (kNoGrad), its options, and the inputs it writes.
template <class P, size_t N>
void define_update(std::vector<OpDef>& table, OpId id, int num_inputs, void (*infer)(const OpCall&, OutSpecs&),
                   void (*forward)(OpCall&), const FieldDef (&fields)[N], uint32_t writes, int stride = 0) {
  define_op(table, id, num_inputs, infer, forward, nullptr, kNoGrad);
  set_params<P>(table, id, fields);
  set_writes(table, id, writes, stride);
}

}  // namespace

void define_optim_ops(std::vector<OpDef>& table) {
  using O = OpId;
  define_update<SgdParams>(table, O::sgd_update, 2, infer_update<O::sgd_update, kSgdNames, 2>,
                           fwd_update<SgdParams, Update::Sgd, 0>, kSgdFields, kWeight);
  define_update<SgdMomParams>(table, O::sgd_mom_update, 3, infer_update<O::sgd_mom_update, kMomNames, 3>,
                              fwd_update<SgdMomParams, Update::SgdMom, 1>, kSgdMomFields, kWeight | states(2, 1));
  define_update<SgdMomParams>(table, O::nag_mom_update, 3, infer_update<O::nag_mom_update, kMomNames, 3>,
                              fwd_update<SgdMomParams, Update::Nag, 1>, kNagFields, kWeight | states(2, 1));
  define_update<AdamParams>(table, O::adam_update, 4, infer_update<O::adam_update, kAdamNames, 4>,
                            fwd_update<AdamParams, Update::Adam, 2>, kAdamFields, kWeight | states(2, 2));
  define_update<AdamWParams>(table, O::adamw_update, 4, infer_update<O::adamw_update, kAdamNames, 4>,
                             fwd_update<AdamWParams, Update::AdamW, 2>, kAdamWFields, kWeight | states(2, 2));
  define_update<RmsPropParams>(table, O::rmsprop_update, 3, infer_update<O::rmsprop_update, kRmsPropNames, 3>,
                               fwd_update<RmsPropParams, Update::RmsProp, 1>, kRmsPropFields, kWeight | states(2, 1));
  define_update<RmsPropAlexParams>(table, O::rmspropalex_update, 5,
                                   infer_update<O::rmspropalex_update, kRmsPropAlexNames, 5>,
                                   fwd_update<RmsPropAlexParams, Update::RmsPropAlex, 3>, kRmsPropAlexFields,
                                   kWeight | states(2, 3));
  define_update<AdaGradParams>(table, O::adagrad_update, 3, infer_update<O::adagrad_update, kAdaGradNames, 3>,
                               fwd_update<AdaGradParams, Update::AdaGrad, 1>, kAdaGradFields, kWeight | states(2, 1));
  define_update<SgdParams>(table, O::signsgd_update, 2, infer_update<O::signsgd_update, kSgdNames, 2>,
                           fwd_update<SgdParams, Update::SignSgd, 0>, kSignSgdFields, kWeight);
  define_update<SignumParams>(table, O::signum_update, 3, infer_update<O::signum_update, kMomNames, 3>,
                              fwd_update<SignumParams, Update::Signum, 1>, kSignumFields, kWeight | states(2, 1));
  // Phase one writes the moments and returns the direction; the weight is only read.
  define_update<LambPhase1Params>(table, O::lamb_update_phase1, 4, infer_lamb1, fwd_lamb1, kLambPhase1Fields,
                                  states(2, 2));
  define_update<LambPhase2Params>(table, O::lamb_update_phase2, 4, infer_lamb2, fwd_lamb2, kLambPhase2Fields, kWeight);
  define_update<FtrlParams>(table, O::ftrl_update, 4, infer_update<O::ftrl_update, kFtrlNames, 4>,
                            fwd_update<FtrlParams, Update::Ftrl, 2>, kFtrlFields, kWeight | states(2, 2));
  define_update<MultiSgdParams>(table, O::multi_sgd_update, -1, infer_multi_sgd, fwd_multi_sgd<false>, kMultiSgdFields,
                                kWeight, 2);
  define_update<MultiSgdParams>(table, O::multi_sgd_mom_update, -1, infer_multi_sgd_mom, fwd_multi_sgd<true>,
                                kMultiSgdMomFields, kWeight | states(2, 1), 3);
  define_update<MultiAdamWParams>(table, O::multi_adamw_update, -1, infer_multi_adamw, fwd_multi_adamw,
                                  kMultiAdamWFields, kWeight | states(2, 2), 4);
}

}  // namespace ndgrad
