// Random arrays from the addon's seeded stream: options form ({ low, high, shape, dtype }) or
// MXNet's positional order (low, high, shape).
import { checkContext, type Context } from './context';
import type { DType } from './dtype';
import { dtypeCode } from './dtype';
import { describe, invoke, invokeMulti, NDArray, requireArray } from './ndarray';
import { native } from './native';

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

function shapeOf(shape: unknown, fn: string): number[] {
  if (shape === undefined) return [1];
  if (typeof shape === 'number') return [shape];
  if (Array.isArray(shape)) return shape;
  throw new TypeError(`${fn}: shape must be an integer or an array of integers, got ${describe(shape)}`);
}

function num(v: unknown, fallback: number, fn: string, name: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${name} must be a number, got ${describe(v)}`);
  return v;
}

/** Uniform in [low, high). */
export function uniform(low?: number | UniformOptions, high?: number, shape?: number | number[], dtype?: DType): NDArray {
  const o: UniformOptions = typeof low === 'object' && low !== null ? low : { low, high, shape, dtype };
  checkContext(o.ctx, 'random.uniform');
  return invoke('random_uniform', [], {
    scalar: num(o.low, 0, 'random.uniform', 'low'),
    scalar2: num(o.high, 1, 'random.uniform', 'high'),
    shape: shapeOf(o.shape, 'random.uniform'),
    dtype: dtypeCode(o.dtype ?? 'float32', 'random.uniform'),
  });
}

/** Normal with mean loc and standard deviation scale. */
export function normal(loc?: number | NormalOptions, scale?: number, shape?: number | number[], dtype?: DType): NDArray {
  const o: NormalOptions = typeof loc === 'object' && loc !== null ? loc : { loc, scale, shape, dtype };
  checkContext(o.ctx, 'random.normal');
  return invoke('random_normal', [], {
    scalar: num(o.loc, 0, 'random.normal', 'loc'),
    scalar2: num(o.scale, 1, 'random.normal', 'scale'),
    shape: shapeOf(o.shape, 'random.normal'),
    dtype: dtypeCode(o.dtype ?? 'float32', 'random.normal'),
  });
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
  const o: Partial<RandintOptions> = typeof low === 'object' && low !== null ? low : { low, high, shape, dtype };
  checkContext(o.ctx, 'random.randint');
  if (typeof o.low !== 'number' || typeof o.high !== 'number') {
    throw new TypeError('random.randint: low and high are required numbers');
  }
  return invoke('random_randint', [], {
    scalar: o.low,
    scalar2: o.high,
    shape: shapeOf(o.shape, 'random.randint'),
    dtype: dtypeCode(o.dtype ?? 'int32', 'random.randint'),
  });
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
