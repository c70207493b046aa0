// gluon.nn's basic blocks: Dropout, Flatten, Lambda, HybridLambda.
import { isTraining } from '../../autograd';
import { describe } from '../../core/dispatch';
import { readOptions } from '../../core/options';
import { nd } from '../../nd-namespace';
import { ones } from '../../nd/creation';
import { dropout } from '../../nd/nn';
import type { NDArray } from '../../ndarray';
import { Block, BLOCK_OPTIONS, type BlockOptions, HybridBlock } from '../block';

/**
 * While autograd.isTraining(), zeroes elements with probability rate and scales the rest by
 * 1 / (1 - rate); axes lists axes along which one mask value is shared (MXNet's `axes`).
 */
export class Dropout extends HybridBlock {
  readonly rate: number;
  readonly axes: number[];

  constructor(rate: number, opts: BlockOptions & { axes?: number[] } = {}) {
    const o = readOptions('Dropout', opts, { ...BLOCK_OPTIONS, axes: [] }) as BlockOptions & { axes?: number[] };
    super({ prefix: o.prefix, params: o.params });
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new RangeError(`Dropout: rate must be in [0, 1), got ${rate}`);
    this.rate = rate;
    this.axes = o.axes ?? [];
  }

  forward(x: NDArray): NDArray {
    if (this.rate === 0) return x.copy();
    if (this.axes.length === 0 || !isTraining()) return dropout(x, { p: this.rate });
    const maskShape = x.shape.map((d, i) => (this.axes.some((a) => (a < 0 ? a + x.ndim : a) === i) ? 1 : d));
    const keep = ones(maskShape, { dtype: x.dtype });
    const mask = dropout(keep, { p: this.rate });
    keep.dispose();
    return x.mul(mask);
  }

  toString(): string {
    return `Dropout(p = ${this.rate}, axes=(${this.axes.join(', ')}))`;
  }
}

/** Collapses every axis but the first: (N, ...) -> (N, prod(...)). */
export class Flatten extends HybridBlock {
  forward(x: NDArray): NDArray {
    return x.reshape([x.shape[0], -1]);
  }

  toString(): string {
    return 'Flatten';
  }
}

type NdFunctionName = { [K in keyof typeof nd]: (typeof nd)[K] extends (...a: never[]) => unknown ? K : never }[keyof typeof nd];

function ndFunction(name: string, cls: string): (...a: unknown[]) => NDArray {
  const f = (nd as Record<string, unknown>)[name];
  if (typeof f !== 'function') throw new RangeError(`${cls}: Function name ${name} is not found in ndarray.`);
  return f as (...a: unknown[]) => NDArray;
}

/** Wraps a function of NDArrays (or the name of an nd function) as a Block. */
export class Lambda extends Block {
  readonly fn: (...inputs: NDArray[]) => NDArray;

  constructor(fn: ((...inputs: NDArray[]) => NDArray) | NdFunctionName, opts: BlockOptions = {}) {
    super(readOptions('Lambda', opts, BLOCK_OPTIONS) as BlockOptions);
    if (typeof fn === 'string') this.fn = ndFunction(fn, 'Lambda');
    else if (typeof fn === 'function') this.fn = fn;
    else throw new TypeError(`Lambda: Unrecognized function in lambda: ${describe(fn)}`);
  }

  forward(...inputs: NDArray[]): NDArray {
    return this.fn(...inputs);
  }

  toString(): string {
    return `Lambda(${this.fn.name || '<lambda>'})`;
  }
}

/** MXNet's HybridLambda: fn receives the nd namespace as F first, as hybrid_forward does. */
export class HybridLambda extends HybridBlock {
  readonly fn: (F: typeof nd, ...inputs: NDArray[]) => NDArray;

  constructor(fn: ((F: typeof nd, ...inputs: NDArray[]) => NDArray) | NdFunctionName, opts: BlockOptions = {}) {
    super(readOptions('HybridLambda', opts, BLOCK_OPTIONS) as BlockOptions);
    if (typeof fn === 'string') {
      const f = ndFunction(fn, 'HybridLambda');
      this.fn = (_F, ...inputs) => f(...inputs);
    } else if (typeof fn === 'function') this.fn = fn;
    else throw new TypeError(`HybridLambda: Unrecognized function in lambda: ${describe(fn)}`);
  }

  forward(...inputs: NDArray[]): NDArray {
    return this.fn(nd, ...inputs);
  }

  toString(): string {
    return `HybridLambda(${this.fn.name || '<lambda>'})`;
  }
}
