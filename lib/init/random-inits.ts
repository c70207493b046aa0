// Random initializers, drawn from the seeded stream (mx.random.seed): Uniform, Normal, Xavier,
// MSRAPrelu and Orthogonal, with MXNet 1.9's formulas.
import { readOptions } from '../core/options';
import { tidy } from '../core/tidy';
import { dot, eye as identity } from '../nd';
import { normal, uniform } from '../nd/random';
import type { NDArray } from '../ndarray';
import { Initializer, register } from './initializer';

/** Writes a fresh draw into arr and frees the draw. */
function fill(arr: NDArray, draw: NDArray): void {
  arr.set(draw);
  draw.dispose();
}

/** Values uniform in [-scale, scale]. */
export class Uniform extends Initializer {
  constructor(readonly scale = 0.07) {
    super();
  }

  initWeight(_name: string, arr: NDArray): void {
    fill(arr, uniform({ low: -this.scale, high: this.scale, shape: arr.shape, dtype: arr.dtype }));
  }
}

/** Values from N(0, sigma^2). */
export class Normal extends Initializer {
  constructor(readonly sigma = 0.01) {
    super();
  }

  initWeight(_name: string, arr: NDArray): void {
    fill(arr, normal({ loc: 0, scale: this.sigma, shape: arr.shape, dtype: arr.dtype }));
  }
}

export type XavierRndType = 'uniform' | 'gaussian';
export type XavierFactorType = 'avg' | 'in' | 'out';

export interface XavierOptions {
  rndType?: XavierRndType;
  factorType?: XavierFactorType;
  magnitude?: number;
}

const XAVIER_OPTIONS = { rndType: ['rnd_type'], factorType: ['factor_type'], magnitude: [] };

/**
 * scale = sqrt(magnitude / factor), factor = (fanIn + fanOut) / 2, fanIn or fanOut, where
 * fanIn = shape[1] * prod(shape[2:]) and fanOut = shape[0] * prod(shape[2:]); then uniform in
 * [-scale, scale] or N(0, scale^2).
 */
export class Xavier extends Initializer {
  readonly rndType: XavierRndType;
  readonly factorType: XavierFactorType;
  readonly magnitude: number;

  constructor(opts: XavierOptions = {}) {
    super();
    const o = readOptions(new.target.name, opts, XAVIER_OPTIONS) as XavierOptions;
    this.rndType = o.rndType ?? 'uniform';
    this.factorType = o.factorType ?? 'avg';
    this.magnitude = o.magnitude ?? 3;
    if (!['uniform', 'gaussian'].includes(this.rndType)) {
      throw new RangeError(`${new.target.name}: rndType must be 'uniform' or 'gaussian', got '${this.rndType}'`);
    }
    if (!['avg', 'in', 'out'].includes(this.factorType)) {
      throw new RangeError(`${new.target.name}: factorType must be 'avg', 'in' or 'out', got '${this.factorType}'`);
    }
  }

  /** The bound (uniform) or standard deviation (gaussian) for a weight of this shape. */
  scaleFor(name: string, shape: number[]): number {
    if (shape.length < 2) {
      throw new RangeError(`Xavier initializer cannot be applied to vector ${name}. It requires at least 2D.`);
    }
    const hwScale = shape.slice(2).reduce((a, b) => a * b, 1);
    const fanIn = shape[1] * hwScale;
    const fanOut = shape[0] * hwScale;
    const factor = this.factorType === 'avg' ? (fanIn + fanOut) / 2 : this.factorType === 'in' ? fanIn : fanOut;
    return Math.sqrt(this.magnitude / factor);
  }

  initWeight(name: string, arr: NDArray): void {
    const scale = this.scaleFor(name, arr.shape);
    const { shape, dtype } = arr;
    fill(arr, this.rndType === 'uniform' ? uniform({ low: -scale, high: scale, shape, dtype }) : normal({ loc: 0, scale, shape, dtype }));
  }
}

/** Xavier with gaussian draws and magnitude 2 / (1 + slope^2) (He et al. 2015). */
export class MSRAPrelu extends Xavier {
  readonly slope: number;

  constructor(opts: { factorType?: XavierFactorType; slope?: number } = {}) {
    const o = readOptions('MSRAPrelu', opts, { factorType: ['factor_type'], slope: [] }) as { factorType?: XavierFactorType; slope?: number };
    const slope = o.slope ?? 0.25;
    super({ rndType: 'gaussian', factorType: o.factorType ?? 'avg', magnitude: 2 / (1 + slope * slope) });
    this.slope = slope;
  }
}

const ORTHOGONAL_TOLERANCE = 1e-12;
const ORTHOGONAL_MAX_STEPS = 200;

/**
 * scale times a matrix with orthonormal rows or columns (whichever fit the shape
 * (shape[0], prod(shape[1:]))), reshaped to the parameter. MXNet takes U or V of the SVD of a
 * random matrix; with no SVD op, this takes the orthogonal polar factor U V^T of the same random
 * matrix (Newton-Schulz iteration in float64), which is orthonormal the same way and equally
 * distributed (Haar).
 */
export class Orthogonal extends Initializer {
  readonly scale: number;
  readonly randType: 'uniform' | 'normal';

  constructor(opts: { scale?: number; randType?: 'uniform' | 'normal' } = {}) {
    super();
    const o = readOptions('Orthogonal', opts, { scale: [], randType: ['rand_type'] }) as { scale?: number; randType?: 'uniform' | 'normal' };
    this.scale = o.scale ?? 1.414;
    this.randType = o.randType ?? 'uniform';
    if (!['uniform', 'normal'].includes(this.randType)) {
      throw new RangeError(`Orthogonal: randType must be 'uniform' or 'normal', got '${this.randType}'`);
    }
  }

  initWeight(name: string, arr: NDArray): void {
    if (arr.ndim < 2) throw new RangeError(`Orthogonal initializer cannot be applied to vector ${name}. It requires at least 2D.`);
    const nout = arr.shape[0];
    const nin = arr.size / nout;
    const shape = [nout, nin];
    tidy(() => {
      const draw = this.randType === 'uniform' ? uniform({ low: -1, high: 1, shape, dtype: 'float64' }) : normal({ loc: 0, scale: 1, shape, dtype: 'float64' });
      // Work on the tall orientation so that X^T X is the small Gram matrix.
      const polar = nout >= nin ? polarFactor(draw) : polarFactor(draw.transpose()).transpose();
      arr.set(polar.mul(this.scale).reshape(arr.shape));
    });
  }
}

/** U V^T of x = U S V^T for a tall x: X <- 1.5 X - 0.5 X (X^T X), from X / ||X||_F, until X^T X = I. */
function polarFactor(x: NDArray): NDArray {
  const eye = identity(x.shape[1], { dtype: 'float64' });
  let cur = tidy(() => x.div(x.norm().asScalar()));
  for (let step = 0; step < ORTHOGONAL_MAX_STEPS; step++) {
    const next = tidy(() => {
      const gram = dot(cur, cur, { transposeA: true });
      if (gram.sub(eye).norm().asScalar() < ORTHOGONAL_TOLERANCE) return null;
      return cur.mul(1.5).sub(dot(cur, gram).mul(0.5));
    });
    if (next === null) break;
    cur.dispose();
    cur = next;
  }
  return cur;
}

register(() => new Uniform(), 'uniform');
register(() => new Normal(), 'normal');
register(() => new Xavier(), 'xavier');
register(() => new MSRAPrelu(), 'msraprelu');
register(() => new Orthogonal(), 'orthogonal');
