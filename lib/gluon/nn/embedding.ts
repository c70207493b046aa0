// gluon.nn.Embedding: rows of a (inputDim, outputDim) weight picked by integer indices.
import type { DType } from '../../core/dtype';
import { readOptions } from '../../core/options';
import type { InitLike } from '../../init/initializer';
import { embedding } from '../../nd/activation';
import type { NDArray } from '../../ndarray';
import { BLOCK_OPTIONS, type BlockOptions, HybridBlock } from '../block';
import type { Parameter } from '../parameter';

export interface EmbeddingOptions extends BlockOptions {
  dtype?: DType;
  weightInitializer?: InitLike | null;
  /** Accepted for MXNet compatibility: gradients here are always dense. */
  sparseGrad?: boolean;
}

const EMBEDDING_OPTIONS = { ...BLOCK_OPTIONS, dtype: [], weightInitializer: ['weight_initializer'], sparseGrad: ['sparse_grad'] };

/** (..., ) indices -> (..., outputDim); out-of-range indices are clipped (MXNet). */
export class Embedding extends HybridBlock {
  readonly inputDim: number;
  readonly outputDim: number;
  weight: Parameter;

  constructor(inputDim: number, outputDim: number, opts: EmbeddingOptions = {}) {
    const o = readOptions('Embedding', opts, EMBEDDING_OPTIONS) as EmbeddingOptions;
    super({ prefix: o.prefix, params: o.params });
    for (const [k, v] of [['inputDim', inputDim], ['outputDim', outputDim]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`Embedding: ${k} must be a positive integer, got ${v}`);
    }
    this.inputDim = inputDim;
    this.outputDim = outputDim;
    this.weight = this.params.get('weight', { shape: [inputDim, outputDim], init: o.weightInitializer ?? null, dtype: o.dtype ?? 'float32', allowDeferredInit: true });
  }

  forward(x: NDArray): NDArray {
    return embedding(x, this.weight.data(), { inputDim: this.inputDim, outputDim: this.outputDim });
  }

  toString(): string {
    return `Embedding(${this.inputDim} -> ${this.outputDim}, ${this.weight.dtype})`;
  }
}
