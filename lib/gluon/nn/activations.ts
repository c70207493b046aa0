// gluon.nn activation blocks whose ops exist: Activation (relu, sigmoid, tanh, softsign,
// softrelu) and Swish.
import { readOptions } from '../../core/options';
import { where } from '../../nd';
import type { NDArray } from '../../ndarray';
import { BLOCK_OPTIONS, type BlockOptions, HybridBlock } from '../block';

/** MXNet's softrelu kernel: log(1 + exp(x)), or x itself above 20 (where they agree in float32). */
export function softrelu(x: NDArray): NDArray {
  return where(x.greater(20), x, x.minimum(20).exp().log1p());
}

const ACTIVATIONS = {
  relu: (x: NDArray) => x.relu(),
  sigmoid: (x: NDArray) => x.sigmoid(),
  tanh: (x: NDArray) => x.tanh(),
  softsign: (x: NDArray) => x.softsign(),
  softrelu,
};

export type ActivationName = keyof typeof ACTIVATIONS;

/** MXNet's Activation block; its prefix is the activation's name (relu0_). */
export class Activation extends HybridBlock {
  readonly actType: ActivationName;

  constructor(activation: ActivationName, opts: BlockOptions = {}) {
    if (!Object.hasOwn(ACTIVATIONS, activation)) {
      throw new RangeError(`Activation: unknown activation '${activation}'; known: ${Object.keys(ACTIVATIONS).join(', ')}`);
    }
    Activation.pending = activation;
    super(readOptions('Activation', opts, BLOCK_OPTIONS) as BlockOptions);
    this.actType = activation;
  }

  /** The alias must be known inside super(), before fields exist. */
  private static pending: string;

  protected alias(): string {
    return Activation.pending;
  }

  forward(x: NDArray): NDArray {
    return ACTIVATIONS[this.actType](x);
  }

  toString(): string {
    return `Activation(${this.actType})`;
  }
}

/** x * sigmoid(beta * x) (Ramachandran et al. 2017). */
export class Swish extends HybridBlock {
  readonly beta: number;

  constructor(beta = 1, opts: BlockOptions = {}) {
    super(readOptions('Swish', opts, BLOCK_OPTIONS) as BlockOptions);
    this.beta = beta;
  }

  forward(x: NDArray): NDArray {
    return x.mul(x.mul(this.beta).sigmoid());
  }
}
