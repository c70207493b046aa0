// ndgrad/testing: numerical test helpers in the spirit of mxnet.test_utils.
import { record } from './autograd';
import { type DType } from './core/dtype';
import { array } from './nd';
import { NDArray, type NestedArray } from './ndarray';

export type Numeric = NDArray | ArrayLike<number> | NestedArray;

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

interface Flat {
  values: ArrayLike<number>;
  shape: number[] | null;
}

function flatten(x: Numeric, what: string): Flat {
  if (x instanceof NDArray) return { values: x.toTypedArray(), shape: x.shape };
  if (typeof x === 'number') return { values: [x], shape: null };
  if (ArrayBuffer.isView(x)) return { values: x as unknown as ArrayLike<number>, shape: null };
  if (Array.isArray(x)) {
    const out: number[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (typeof v === 'number') out.push(v);
      else throw new TypeError(`assertAlmostEqual: ${what} contains a non-number (${String(v)})`);
    };
    walk(x);
    return { values: out, shape: null };
  }
  throw new TypeError(`assertAlmostEqual: ${what} must be an NDArray, TypedArray, nested array or number`);
}

/** Index of element i in a row-major array of the given shape, as "[i, j, ...]". */
function indexText(i: number, shape: number[] | null): string {
  if (!shape || shape.length <= 1) return `[${i}]`;
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(i % shape[d]);
    i = Math.floor(i / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}

/**
 * Asserts |a - b| <= atol + rtol * |b| elementwise (NumPy's allclose; NaNs must match NaNs).
 * On failure the message shows the worst element, its index and both values.
 */
export function assertAlmostEqual(a: Numeric, b: Numeric, { rtol = 1e-5, atol = 1e-20 }: Tolerance = {}): void {
  const fa = flatten(a, 'a');
  const fb = flatten(b, 'b');
  if (fa.shape && fb.shape && fa.shape.join() !== fb.shape.join()) {
    throw new Error(`assertAlmostEqual: shapes differ: (${fa.shape.join(',')}) vs (${fb.shape.join(',')})`);
  }
  if (fa.values.length !== fb.values.length) {
    throw new Error(`assertAlmostEqual: sizes differ: ${fa.values.length} vs ${fb.values.length}`);
  }
  let worst = -1;
  let worstExcess = 0;
  let mismatches = 0;
  for (let i = 0; i < fa.values.length; i++) {
    const x = fa.values[i];
    const y = fb.values[i];
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      mismatches++;
      if (worstExcess !== Infinity) {
        worst = i;
        worstExcess = Infinity;
      }
      continue;
    }
    if (x === y) continue;
    const excess = Math.abs(x - y) - (atol + rtol * Math.abs(y));
    if (excess > 0) {
      mismatches++;
      if (excess > worstExcess) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  if (mismatches > 0) {
    const x = fa.values[worst];
    const y = fb.values[worst];
    const where = indexText(worst, fa.shape ?? fb.shape);
    throw new Error(
      `assertAlmostEqual: ${mismatches} of ${fa.values.length} elements differ beyond rtol=${rtol}, atol=${atol}; ` +
        `worst at index ${where}: a=${x}, b=${y} (|a-b|=${Math.abs(x - y)})`,
    );
  }
}

export interface GradientCheckOptions extends Tolerance {
  /** Finite-difference step (default 1e-6 for float64, 1e-3 for float32). */
  eps?: number;
  /** Seed of the random projection of the output. */
  seed?: number;
}

const DEFAULT_EPS: Record<DType, number> = { float64: 1e-6, float32: 1e-3, int32: 1, uint8: 1 };
const DEFAULT_RTOL: Record<DType, number> = { float64: 1e-5, float32: 1e-2, int32: 0, uint8: 0 };
const DEFAULT_ATOL: Record<DType, number> = { float64: 1e-7, float32: 1e-3, int32: 0, uint8: 0 };

/** Deterministic projection weights in [0.5, 1.5) (a tiny LCG, so the check needs no global seed). */
function projection(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = (seed >>> 0) || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = 0.5 + s / 4294967296;
  }
  return out;
}

function scalarLoss(out: NDArray | NDArray[], weights: NDArray[]): NDArray {
  const outs = Array.isArray(out) ? out : [out];
  let total: NDArray | null = null;
  outs.forEach((o, i) => {
    const term = o.mul(weights[i]).sum();
    total = total === null ? term : total.add(term);
  });
  return total as unknown as NDArray;
}

/**
 * Compares autograd's gradient of sum(fn(inputs) * w) (w a fixed random projection) with
 * central differences, for every element of every input. Throws with the worst element.
 */
export function checkNumericGradient(
  fn: (...xs: NDArray[]) => NDArray | NDArray[],
  inputs: NDArray[],
  opts: GradientCheckOptions = {},
): void {
  if (inputs.length === 0) throw new TypeError('checkNumericGradient: inputs must not be empty');
  const dtype = inputs[0].dtype;
  const eps = opts.eps ?? DEFAULT_EPS[dtype];
  const tol = { rtol: opts.rtol ?? DEFAULT_RTOL[dtype], atol: opts.atol ?? DEFAULT_ATOL[dtype] };
  const vars = inputs.map((x) => x.copy());
  vars.forEach((v) => v.attachGrad());
  const probe = fn(...vars);
  const probes = Array.isArray(probe) ? probe : [probe];
  const weights = probes.map((p, i) =>
    array(projection(p.size, (opts.seed ?? 7) + i), { dtype: p.dtype }).reshape(p.shape),
  );
  const loss = record(() => scalarLoss(fn(...vars), weights));
  loss.backward();
  const lossAt = (xs: NDArray[]): number => scalarLoss(fn(...xs), weights).asScalar();
  inputs.forEach((input, k) => {
    const base = Float64Array.from(input.toTypedArray());
    const numeric = new Float64Array(base.length);
    for (let j = 0; j < base.length; j++) {
      const shifted = (delta: number): number => {
        const data = base.slice();
        data[j] += delta;
        const xs = inputs.map((x, i) => (i === k ? array(data, { dtype: x.dtype }).reshape(x.shape) : x));
        return lossAt(xs);
      };
      numeric[j] = (shifted(eps / 2) - shifted(-eps / 2)) / eps;
    }
    const analytic = vars[k].grad;
    if (analytic === null) throw new Error(`checkNumericGradient: input ${k} got no gradient buffer`);
    try {
      assertAlmostEqual(analytic, numeric, tol);
    } catch (err) {
      throw new Error(`checkNumericGradient: gradient of input ${k} (shape ${input.shape.join('x')}): ${(err as Error).message}`);
    }
  });
}
