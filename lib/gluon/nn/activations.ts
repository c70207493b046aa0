// gluon.nn activation blocks: Activation (relu, sigmoid, tanh, softsign, softrelu), LeakyReLU,
// PReLU, ELU, SELU, GELU (one nd.leakyRelu call each) and Swish.
import { readOptions } from '../../core/options';
import { Constant } from '../../init/constant';
import type { InitLike } from '../../init/initializer';
import { leakyRelu } from '../../nd/activation';
import type { Parameter } from '../parameter';
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

/** x above zero, alpha x below (alpha >= 0). */
export class LeakyReLU extends HybridBlock {
  readonly alpha: number;

  constructor(alpha: number, opts: BlockOptions = {}) {
    super(readOptions('LeakyReLU', opts, BLOCK_OPTIONS) as BlockOptions);
    if (typeof alpha !== 'number' || !(alpha >= 0)) throw new RangeError(`LeakyReLU: Slope coefficient for LeakyReLU must be no less than 0, got ${alpha}`);
    this.alpha = alpha;
  }

  forward(x: NDArray): NDArray {
    return leakyRelu(x, { actType: 'leaky', slope: this.alpha });
  }

  toString(): string {
    return `LeakyReLU(${this.alpha})`;
  }
}

export interface PReLUOptions extends BlockOptions {
  alphaInitializer?: InitLike;
  /** Number of slopes: 1 (shared) or the channel count (axis 1). */
  inChannels?: number;
}

/** LeakyReLU with a learned slope `alpha` (one, or one per channel), initialized to 0.25. */
export class PReLU extends HybridBlock {
  alpha: Parameter;

  constructor(opts: PReLUOptions = {}) {
    const o = readOptions('PReLU', opts, { ...BLOCK_OPTIONS, alphaInitializer: ['alpha_initializer'], inChannels: ['in_channels'] }) as PReLUOptions;
    super({ prefix: o.prefix, params: o.params });
    const n = o.inChannels ?? 1;
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`PReLU: inChannels must be a positive integer, got ${n}`);
    this.alpha = this.params.get('alpha', { shape: [n], init: o.alphaInitializer ?? new Constant(0.25) });
  }

  forward(x: NDArray): NDArray {
    return leakyRelu(x, this.alpha.data(), { actType: 'prelu' });
  }
}

/** Activations that are nd.leakyRelu with a fixed actType (and slope). */
abstract class FixedLeaky extends HybridBlock {
  protected abstract readonly actType: 'elu' | 'selu' | 'gelu';
  protected slope = 0.25;

  forward(x: NDArray): NDArray {
    return leakyRelu(x, { actType: this.actType, slope: this.slope });
  }
}

/** alpha (exp(x) - 1) below zero (Clevert et al. 2016). */
export class ELU extends FixedLeaky {
  protected readonly actType = 'elu';

  constructor(alpha = 1, opts: BlockOptions = {}) {
    super(readOptions('ELU', opts, BLOCK_OPTIONS) as BlockOptions);
    this.slope = alpha;
  }
}

/** Scaled ELU with MXNet's fixed alpha and lambda (Klambauer et al. 2017). */
export class SELU extends FixedLeaky {
  protected readonly actType = 'selu';

  constructor(opts: BlockOptions = {}) {
    super(readOptions('SELU', opts, BLOCK_OPTIONS) as BlockOptions);
  }
}

/** x Phi(x), the exact erf form (Hendrycks and Gimpel 2016). */
export class GELU extends FixedLeaky {
  protected readonly actType = 'gelu';

  constructor(opts: BlockOptions = {}) {
    super(readOptions('GELU', opts, BLOCK_OPTIONS) as BlockOptions);
  }
}
