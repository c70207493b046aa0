// ndgrad: MXNet's imperative nd + autograd for Node.js.
//   import mx, { nd, autograd } from 'ndgrad'     const mx = require('ndgrad')
import { AUTOGRAD_ALIASES, withAliases } from './core/aliases';
import * as autogradNs from './autograd';
import { Context, cpu, gpu } from './core/context';
import { getLimits, setLimits } from './core/limits';
import * as gluon from './gluon';
import * as init from './init';
import * as metric from './metric';
import { nd } from './nd-namespace';
import { NDArray } from './ndarray';
import { native } from './core/native';
import * as random from './nd/random';
import * as optimizer from './optimizer';
import * as lr_scheduler from './lr_scheduler';

export type { DType } from './core/dtype';
export type { Limits } from './core/limits';
export type { GradReq, NestedArray, Operand, ReduceOptions, NormOptions, BackwardOptions, DotOptions, SoftmaxOptions } from './ndarray';
export type { ArgsortOptions, SortOptions, TakeMode, TakeOptions, TopkOptions, TopkRetTyp } from './ndarray';
export type { GeneratedMethods, PickOptions, ReduceArg, Shape, SplitOptions } from './ndarray';
export type { AxisArg, AxisOptionsOf, AxisOptionValues } from './core/ops';
export type { MultiOutOption, OutOption } from './core/dispatch';
export type { AnyTypedArray } from './core/dtype';
export type { Aliased } from './core/aliases';
export type { CreateOptions, ShapeArg, ShapedCreateOptions } from './nd/creation';
export type { FullyConnectedOptions, OneHotOptions } from './nd/nn';
export type { SliceOptions } from './nd/joining';
export type { NormalOptions, UniformOptions } from './nd/random';
export type * from './nd/optim';
export type { ActivationOptions, LeakyReluOptions, EmbeddingOptions, SequenceMaskOptions, PadOptions, UpSamplingOptions } from './nd/activation';
export type { PoolingOptions, BatchNormOptions, LayerNormOptions, GroupNormOptions, L2NormalizationOptions } from './nd/poolnorm';
export type { ConvTuple, ConvolutionOptions, DeconvolutionOptions } from './nd/conv';
export type { MomentsOptions, DiagOptions } from './nd/numeric';
export type { GemmOptions, TriangularOptions } from './nd/linalg';

export const autograd = withAliases(autogradNs, AUTOGRAD_ALIASES);
export { nd, gluon, init, metric, NDArray, Context, cpu, gpu, random, getLimits, setLimits, optimizer, lr_scheduler };

/** Which kernel path this process uses ('scalar', 'avx2' or 'avx512'; NDGRAD_ISA lowers it). */
export function isa(): string {
  return native.isa();
}

const mx = { nd, autograd, gluon, init, metric, random, NDArray, Context, cpu, gpu, isa, getLimits, setLimits, optimizer, lr_scheduler };
export default mx;
