// The fused optimizer updates (MXNet 1.9's sgd_update, adam_update, ...): each writes the weight
// and its state arrays in place in one native pass and returns the weight. They are never
// recorded; inside autograd.record they refuse to write an array of the graph.
import { describe, invokeMulti, requireArray } from '../core/dispatch';
import type { NDArray } from '../ndarray';
import type { OpName } from '../core/ops';

/** Options every update but LAMB's takes (MXNet's snake_case spellings are accepted too). */
export interface UpdateOptions {
  /** The learning rate (required). */
  lr: number;
  /** Weight decay, default 0. */
  wd?: number;
  /** The gradient is multiplied by this first, default 1. */
  rescaleGrad?: number;
  /** Clip the rescaled gradient to [-c, c]; negative (default -1) turns clipping off. */
  clipGradient?: number;
  /** MXNet's `out=weight`: accepted when it is the weight, which the update always writes. */
  out?: NDArray;
}
export interface SgdMomUpdateOptions extends UpdateOptions {
  momentum?: number;
}
export interface AdamUpdateOptions extends UpdateOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}
export interface AdamwUpdateOptions extends AdamUpdateOptions {
  /** The schedule multiplier of the whole step, default 1. */
  eta?: number;
}
export interface RmspropUpdateOptions extends UpdateOptions {
  gamma1?: number;
  epsilon?: number;
  clipWeights?: number;
}
export interface RmspropalexUpdateOptions extends RmspropUpdateOptions {
  gamma2?: number;
}
export interface AdagradUpdateOptions extends UpdateOptions {
  epsilon?: number;
}
export interface SignumUpdateOptions extends SgdMomUpdateOptions {
  wdLh?: number;
}
export interface FtrlUpdateOptions extends UpdateOptions {
  lamda1?: number;
  beta?: number;
}
export interface LambPhase1Options {
  /** The update count, from 1 (required). */
  t: number;
  /** Weight decay (required). */
  wd: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  biasCorrection?: boolean;
  rescaleGrad?: number;
  clipGradient?: number;
}
export interface LambPhase2Options {
  lr: number;
  lowerBound?: number;
  upperBound?: number;
  out?: NDArray;
}
export interface MultiSgdOptions {
  /** One learning rate per weight. */
  lrs: number[];
  /** One weight decay per weight. */
  wds: number[];
  momentum?: number;
  rescaleGrad?: number;
  clipGradient?: number;
  numWeights?: number;
}
export interface MultiAdamwOptions {
  lrs: number[];
  wds: number[];
  /** One schedule multiplier per weight. */
  etas: number[];
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  rescaleGrad?: number;
  clipGradient?: number;
  numWeights?: number;
}

/** The options without `out`, which may only name the weight. */
function updateOptions(fn: string, weight: NDArray, opts: unknown): object {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new TypeError(`${fn}: expected an options object (with lr), got ${describe(opts)}`);
  }
  const { out, ...rest } = opts as { out?: unknown };
  if (out !== undefined && out !== weight) {
    throw new TypeError(`${fn}: out must be the weight itself (the update writes it in place), got ${describe(out)}`);
  }
  return rest;
}

function update(op: OpName, fn: string, names: readonly string[], arrays: unknown[], opts: unknown): NDArray {
  arrays.forEach((a, i) => requireArray(a, fn, names[i]));
  const weight = arrays[0] as NDArray;
  invokeMulti(op, arrays as NDArray[], updateOptions(fn, weight, opts));
  return weight;
}

/** weight = (1 - lr*wd) * weight - lr * clip(rescaleGrad * grad). */
export function sgdUpdate(weight: NDArray, grad: NDArray, opts: UpdateOptions): NDArray {
  return update('sgd_update', 'sgdUpdate', ['weight', 'grad'], [weight, grad], opts);
}

/** mom = momentum*mom - lr*wd*weight - lr*clip(rescaleGrad*grad); weight += mom. */
export function sgdMomUpdate(weight: NDArray, grad: NDArray, mom: NDArray, opts: SgdMomUpdateOptions): NDArray {
  return update('sgd_mom_update', 'sgdMomUpdate', ['weight', 'grad', 'mom'], [weight, grad, mom], opts);
}

/** Nesterov momentum, MXNet's nag_mom_update. */
export function nagMomUpdate(weight: NDArray, grad: NDArray, mom: NDArray, opts: SgdMomUpdateOptions): NDArray {
  return update('nag_mom_update', 'nagMomUpdate', ['weight', 'grad', 'mom'], [weight, grad, mom], opts);
}

/** Adam without bias correction (the Adam optimizer folds it into lr), weight decay inside the clip. */
export function adamUpdate(weight: NDArray, grad: NDArray, mean: NDArray, variance: NDArray, opts: AdamUpdateOptions): NDArray {
  return update('adam_update', 'adamUpdate', ['weight', 'grad', 'mean', 'var'], [weight, grad, mean, variance], opts);
}

/** MXNet's contrib adamw_update: decoupled weight decay, the whole step scaled by eta. */
export function adamwUpdate(weight: NDArray, grad: NDArray, mean: NDArray, variance: NDArray, opts: AdamwUpdateOptions): NDArray {
  return update('adamw_update', 'adamwUpdate', ['weight', 'grad', 'mean', 'var'], [weight, grad, mean, variance], opts);
}

/** RMSProp (Tieleman and Hinton), MXNet's rmsprop_update. */
export function rmspropUpdate(weight: NDArray, grad: NDArray, n: NDArray, opts: RmspropUpdateOptions): NDArray {
  return update('rmsprop_update', 'rmspropUpdate', ['weight', 'grad', 'n'], [weight, grad, n], opts);
}

/** Centered RMSProp (Graves), MXNet's rmspropalex_update. */
export function rmspropalexUpdate(
  weight: NDArray,
  grad: NDArray,
  n: NDArray,
  g: NDArray,
  delta: NDArray,
  opts: RmspropalexUpdateOptions,
): NDArray {
  return update('rmspropalex_update', 'rmspropalexUpdate', ['weight', 'grad', 'n', 'g', 'delta'], [weight, grad, n, g, delta], opts);
}

/** AdaGrad: history += g^2; weight -= lr * (g / sqrt(history + epsilon) + wd * weight). */
export function adagradUpdate(weight: NDArray, grad: NDArray, history: NDArray, opts: AdagradUpdateOptions): NDArray {
  return update('adagrad_update', 'adagradUpdate', ['weight', 'grad', 'history'], [weight, grad, history], opts);
}

/** weight = (1 - lr*wd) * weight - lr * sign(grad) (MXNet ignores rescaleGrad and clipGradient here). */
export function signsgdUpdate(weight: NDArray, grad: NDArray, opts: UpdateOptions): NDArray {
  return update('signsgd_update', 'signsgdUpdate', ['weight', 'grad'], [weight, grad], opts);
}

/** Signum: momentum of the gradient, then a step of lr along its sign. */
export function signumUpdate(weight: NDArray, grad: NDArray, mom: NDArray, opts: SignumUpdateOptions): NDArray {
  return update('signum_update', 'signumUpdate', ['weight', 'grad', 'mom'], [weight, grad, mom], opts);
}

/** FTRL-proximal, MXNet's ftrl_update. */
export function ftrlUpdate(weight: NDArray, grad: NDArray, z: NDArray, n: NDArray, opts: FtrlUpdateOptions): NDArray {
  return update('ftrl_update', 'ftrlUpdate', ['weight', 'grad', 'z', 'n'], [weight, grad, z, n], opts);
}

/** LAMB's first phase: updates mean and var in place and returns the direction g (a new array). */
export function lambUpdatePhase1(weight: NDArray, grad: NDArray, mean: NDArray, variance: NDArray, opts: LambPhase1Options): NDArray {
  const fn = 'lambUpdatePhase1';
  [weight, grad, mean, variance].forEach((a, i) => requireArray(a, fn, ['weight', 'grad', 'mean', 'var'][i]));
  if (opts === null || typeof opts !== 'object') throw new TypeError(`${fn}: expected an options object (with t, wd), got ${describe(opts)}`);
  return invokeMulti('lamb_update_phase1', [weight, grad, mean, variance], opts)[0];
}

/** LAMB's second phase: weight -= lr * (r1 / r2) * g, r1 = ||weight|| (bounded), r2 = ||g||. */
export function lambUpdatePhase2(weight: NDArray, g: NDArray, r1: NDArray, r2: NDArray, opts: LambPhase2Options): NDArray {
  return update('lamb_update_phase2', 'lambUpdatePhase2', ['weight', 'g', 'r1', 'r2'], [weight, g, r1, r2], opts);
}

function multi(op: OpName, fn: string, names: readonly string[], lists: unknown[], opts: unknown): NDArray[] {
  lists.forEach((l, k) => {
    if (!Array.isArray(l)) throw new TypeError(`${fn}: ${names[k]}s must be an Array of NDArrays, got ${describe(l)}`);
  });
  const groups = lists as NDArray[][];
  const n = groups[0].length;
  groups.forEach((l, k) => {
    if (l.length !== n) throw new RangeError(`${fn}: ${n} weights but ${l.length} ${names[k]}s`);
    l.forEach((a, i) => requireArray(a, fn, `${names[k]}s[${i}]`));
  });
  const inputs: NDArray[] = [];
  for (let i = 0; i < n; i++) for (const l of groups) inputs.push(l[i]);
  if (opts === null || typeof opts !== 'object') throw new TypeError(`${fn}: expected an options object (with lrs, wds), got ${describe(opts)}`);
  invokeMulti(op, inputs, opts);
  return groups[0];
}

/** sgdUpdate of many weights in one native call; returns the weights. */
export function multiSgdUpdate(weights: NDArray[], grads: NDArray[], opts: MultiSgdOptions): NDArray[] {
  return multi('multi_sgd_update', 'multiSgdUpdate', ['weight', 'grad'], [weights, grads], opts);
}

/** sgdMomUpdate of many weights in one native call; returns the weights. */
export function multiSgdMomUpdate(weights: NDArray[], grads: NDArray[], moms: NDArray[], opts: MultiSgdOptions): NDArray[] {
  return multi('multi_sgd_mom_update', 'multiSgdMomUpdate', ['weight', 'grad', 'mom'], [weights, grads, moms], opts);
}

/** adamwUpdate of many weights in one native call (MXNet's multi_adamw_update); returns the weights. */
export function multiAdamwUpdate(
  weights: NDArray[],
  grads: NDArray[],
  means: NDArray[],
  variances: NDArray[],
  opts: MultiAdamwOptions,
): NDArray[] {
  return multi('multi_adamw_update', 'multiAdamwUpdate', ['weight', 'grad', 'mean', 'var'], [weights, grads, means, variances], opts);
}
