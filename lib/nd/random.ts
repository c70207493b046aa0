// Random arrays from the addon's seeded stream: options form ({ low, high, shape, dtype }) or
// MXNet's positional order (low, high, shape).
import { checkContext, type Context } from '../core/context';
import type { DType } from '../core/dtype';
import { dtypeCode } from '../core/dtype';
import { describe, invoke, invokeMulti, requireArray } from '../core/dispatch';
import type { NDArray } from '../ndarray';
import { native } from '../core/native';

export interface UniformOptions {
  low?: number;
  high?: number;
  shape?: number | number[];
  dtype?: DType;
  /** the device (only mx.cpu() in this build) */
  ctx?: Context;
}

export interface NormalOptions {
  loc?: number;
  scale?: number;
  shape?: number | number[];
  dtype?: DType;
  /** the device (only mx.cpu() in this build) */
  ctx?: Context;
}

/** Makes every random op reproducible. */
export function seed(seedState: number): void {
  if (typeof seedState !== 'number' || !Number.isInteger(seedState)) {
    throw new TypeError(`random.seed: seed must be an integer, got ${describe(seedState)}`);
  }
  native.seed(seedState);
}

/** The options form, or MXNet's positional order turned into it; ctx is checked here. */
function randomOptions(fn: string, first: unknown, positional: Record<string, unknown>): Record<string, unknown> {
  const o = typeof first === 'object' && first !== null && !Array.isArray(first) ? (first as Record<string, unknown>) : positional;
  checkContext(o.ctx, fn);
  return o;
}

export function uniform(low?: number | UniformOptions, high?: number, shape?: number | number[], dtype?: DType): NDArray {
  return invoke('random_uniform', [], randomOptions('random.uniform', low, { low, high, shape, dtype }));
}

export function normal(loc?: number | NormalOptions, scale?: number, shape?: number | number[], dtype?: DType): NDArray {
  return invoke('random_normal', [], randomOptions('random.normal', loc, { loc, scale, shape, dtype }));
}

export interface RandintOptions {
  low: number;
  high: number;
  shape?: number | number[];
  dtype?: 'int32' | 'float32' | 'float64';
  /** the device (only mx.cpu() in this build) */
  ctx?: Context;
}

/** Integers in [low, high), int32 by default (MXNet). */
export function randint(low: number | RandintOptions, high?: number, shape?: number | number[], dtype?: RandintOptions['dtype']): NDArray {
  return invoke('random_randint', [], randomOptions('random.randint', low, { low, high, shape, dtype }));
}

/**
 * A copy of x with its rows (axis 0) in a random order drawn from the seeded stream. Unlike
 * MXNet, whose shuffle has no gradient, the gradient is exact: each row's gradient goes back to
 * the row it came from.
 */
export function shuffle(x: NDArray): NDArray {
  requireArray(x, 'random.shuffle', 'x');
  const [shuffled, permutation] = invokeMulti('random_shuffle', [x]);
  permutation.dispose(); // a recorded graph keeps its own reference
  return shuffled;
}
