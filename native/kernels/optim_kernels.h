// Per-ISA kernels of the fused optimizer updates (registry entries: core/ops/ops_optim.cc).
//
// Each update reads the weight, the gradient and its state arrays once and writes the weight and
// the states back, in one pass: MXNet 1.9's kernels (src/operator/optimizer_op-inl.h,
// contrib/adamw-inl.h), computed in the weight's dtype as MXNet does.
#pragma once

#include <cstddef>

#include "kernels/kernels.h"

namespace ndgrad {
namespace kernels {

// The scalar options each update reads from UpdateArgs::p, in order. clip < 0 turns clipping
// off (also clip_weights); rg is rescale_grad.
enum class Update : int {
  Sgd,          // lr, wd, rg, clip
  SgdMom,       // lr, wd, rg, clip, momentum                       s0 = mom
  MultiSgd,     // lr, wd, rg, clip (MXNet's multi-tensor SGD: SgdMom with no momentum state)
  Nag,          // lr, wd, rg, clip, momentum                       s0 = mom
  Adam,         // lr, wd, rg, clip, beta1, beta2, epsilon          s0 = mean, s1 = var
  AdamW,        // lr, wd, rg, clip, beta1, beta2, epsilon, eta     s0 = mean, s1 = var
  MultiAdamW,   // the same; MXNet's multi-tensor form of the moments
  RmsProp,      // lr, wd, rg, clip, gamma1, epsilon, clip_weights  s0 = n
  RmsPropAlex,  // lr, wd, rg, clip, gamma1, gamma2, epsilon, clip_weights; s0 = n, s1 = g, s2 = delta
  AdaGrad,      // lr, wd, rg, clip, epsilon                        s0 = history
  SignSgd,      // lr, wd
  Signum,       // lr, wd, rg, clip, momentum, wd_lh                s0 = mom
  LambPhase1,   // wd, rg, clip, beta1, beta2, epsilon, bias_correction, beta1^t, beta2^t;
                // s0 = mean, s1 = var; writes the direction to out, reads w
  LambPhase2,   // lr (already scaled by the trust ratio); g is the direction
  Ftrl,         // lr, wd, rg, clip, lamda1, beta                   s0 = z, s1 = n
  Count
};

struct UpdateArgs {
  void* w;
  const void* g;
  void* s[3];
  void* out;  // LambPhase1 only
  double p[10];
};

struct OptimKernels {
  Isa isa;
  // Runs update `op` on elements [begin, end) of every array of `a`, in dtype dt (float32 or
  // float64).
  void (*update)(Update op, DType dt, const UpdateArgs& a, size_t begin, size_t end);
};

// The kernels for an instruction set, or nullptr when this build or this CPU lacks it.
const OptimKernels* optim_kernels_for(Isa isa);

}  // namespace kernels
}  // namespace ndgrad
