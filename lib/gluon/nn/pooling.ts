// gluon.nn pooling layers (MXNet 1.9's conv_layers.py): MaxPool, AvgPool, GlobalMaxPool and
// GlobalAvgPool in 1-D, 2-D and 3-D, all one nd.pooling call.
import { describe } from '../../core/dispatch';
import { readOptions } from '../../core/options';
import { pooling } from '../../nd/poolnorm';
import type { NDArray } from '../../ndarray';
import { BLOCK_OPTIONS, type BlockOptions, HybridBlock } from '../block';

type Tuple = number | number[];

export interface PoolOptions extends BlockOptions {
  /** Window size per spatial axis (a number: the same on every axis). */
  poolSize?: Tuple;
  /** Step per spatial axis; default poolSize. */
  strides?: Tuple | null;
  padding?: Tuple;
  /** Round output sizes up (MXNet's 'full' pooling convention) instead of down. */
  ceilMode?: boolean;
  /** Channels first only: 'NCW', 'NCHW', 'NCDHW'. */
  layout?: string;
  /** AvgPool: count padded elements in the divisor (default true). */
  countIncludePad?: boolean;
}

const POOL_OPTIONS = {
  ...BLOCK_OPTIONS,
  poolSize: ['pool_size'],
  strides: [],
  padding: [],
  ceilMode: ['ceil_mode'],
  layout: [],
  countIncludePad: ['count_include_pad'],
};

const LAYOUTS = ['NCW', 'NCHW', 'NCDHW'];

function tuple(v: Tuple, dims: number, cls: string, key: string): number[] {
  const list = typeof v === 'number' ? new Array<number>(dims).fill(v) : v;
  if (!Array.isArray(list) || list.length !== dims || !list.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(`${cls}: ${key} must be a non-negative integer or a list of ${dims}, got ${describe(v)}`);
  }
  return [...list];
}

/**
 * MXNet's positional form (poolSize, strides, padding, ...) or one options object; a trailing
 * object after positional values holds the rest.
 */
function poolArgs(cls: string, args: unknown[]): PoolOptions {
  const last = args.length > 0 ? args[args.length - 1] : undefined;
  const hasObject = last !== null && typeof last === 'object' && !Array.isArray(last);
  const opts = (hasObject ? readOptions(cls, last, POOL_OPTIONS) : {}) as PoolOptions;
  const positional = hasObject ? args.slice(0, -1) : args;
  const names = ['poolSize', 'strides', 'padding', 'ceilMode'] as const;
  if (positional.length > names.length) throw new TypeError(`${cls}: at most ${names.length} positional arguments, got ${positional.length}`);
  positional.forEach((v, i) => {
    if (v !== undefined) (opts as Record<string, unknown>)[names[i]] = v;
  });
  return opts;
}

abstract class Pooling extends HybridBlock {
  protected readonly kwargs: Record<string, unknown>;

  protected constructor(cls: string, dims: number, poolType: 'max' | 'avg', global: boolean, o: PoolOptions) {
    super({ prefix: o.prefix, params: o.params });
    const layout = o.layout ?? LAYOUTS[dims - 1];
    if (layout !== LAYOUTS[dims - 1]) throw new RangeError(`${cls}: layout must be '${LAYOUTS[dims - 1]}' (channels first), got '${layout}'`);
    const kernel = tuple(global ? 1 : (o.poolSize ?? 2), dims, cls, 'poolSize');
    const strides = o.strides === undefined || o.strides === null ? kernel : tuple(o.strides, dims, cls, 'strides');
    this.kwargs = {
      kernel,
      stride: strides,
      pad: tuple(o.padding ?? 0, dims, cls, 'padding'),
      globalPool: global,
      poolType,
      poolingConvention: (o.ceilMode ?? global) ? 'full' : 'valid',
    };
    if (poolType === 'avg' && !global) this.kwargs.countIncludePad = o.countIncludePad ?? true;
  }

  /** MXNet's _alias: every pooling layer's prefix is pool<N>_. */
  protected alias(): string {
    return 'pool';
  }

  forward(x: NDArray): NDArray {
    return pooling(x, this.kwargs);
  }

  toString(): string {
    const k = this.kwargs;
    return `${this.constructor.name}(size=(${(k.kernel as number[]).join(', ')}), stride=(${(k.stride as number[]).join(', ')}), padding=(${(k.pad as number[]).join(', ')}), ceil_mode=${k.poolingConvention === 'full'}, global_pool=${k.globalPool}, pool_type=${k.poolType})`;
  }
}

/** Pooling classes of one type and dimension count; args as poolArgs reads them. */
function poolClass(name: string, dims: number, poolType: 'max' | 'avg', global: boolean) {
  const cls = class extends Pooling {
    constructor(...args: (Tuple | boolean | PoolOptions | null | undefined)[]) {
      super(name, dims, poolType, global, poolArgs(name, args));
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

type PoolArg = Tuple | boolean | PoolOptions | null | undefined;
type PoolClass = new (...args: PoolArg[]) => Pooling;

export const MaxPool1D: PoolClass = poolClass('MaxPool1D', 1, 'max', false);
export const MaxPool2D: PoolClass = poolClass('MaxPool2D', 2, 'max', false);
export const MaxPool3D: PoolClass = poolClass('MaxPool3D', 3, 'max', false);
export const AvgPool1D: PoolClass = poolClass('AvgPool1D', 1, 'avg', false);
export const AvgPool2D: PoolClass = poolClass('AvgPool2D', 2, 'avg', false);
export const AvgPool3D: PoolClass = poolClass('AvgPool3D', 3, 'avg', false);
export const GlobalMaxPool1D: PoolClass = poolClass('GlobalMaxPool1D', 1, 'max', true);
export const GlobalMaxPool2D: PoolClass = poolClass('GlobalMaxPool2D', 2, 'max', true);
export const GlobalMaxPool3D: PoolClass = poolClass('GlobalMaxPool3D', 3, 'max', true);
export const GlobalAvgPool1D: PoolClass = poolClass('GlobalAvgPool1D', 1, 'avg', true);
export const GlobalAvgPool2D: PoolClass = poolClass('GlobalAvgPool2D', 2, 'avg', true);
export const GlobalAvgPool3D: PoolClass = poolClass('GlobalAvgPool3D', 3, 'avg', true);
