// Gradients of gradients. createGraph records the backward pass, whose formulas are registry ops,
// so every differentiable op has a second derivative: checked here for each one against central
// differences of its first derivative (a Hessian-vector product), and analytically to third order
// for exp, tanh, sigmoid, pow and dot.
import { autograd, nd, NDArray } from '../lib';
import { assertAlmostEqual } from '../lib/testing';
import { type Domain, FLAG_CREATION, ops, recipes } from './helpers/op-recipes';

const FLAG_NO_GRAD = 8;

function weights(shape: number[], seed: number): NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  let s = seed;
  const data = new Float64Array(n).map(() => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return 0.5 + s / 4294967296;
  });
  // (an empty shape cannot go through reshape, where a 0 means "keep this dimension")
  if (n === 0) return nd.zeros(shape, { dtype: 'float64' });
  return nd.array(data, { dtype: 'float64' }).reshape(shape.length ? shape : [1]);
}

/** sum(v * fn(xs)) as a scalar array, for outputs of any count. */
function projected(fn: (...xs: NDArray[]) => NDArray | NDArray[], xs: NDArray[]): NDArray {
  const out = fn(...xs);
  const outs = Array.isArray(out) ? out : [out];
  return outs.map((o, i) => o.mul(weights(o.shape, 11 + i)).sum()).reduce((a, b) => a.add(b));
}

/** First derivatives of sum(v * fn(xs)) with respect to every input (recorded when createGraph). */
function firstGrads(fn: (...xs: NDArray[]) => NDArray | NDArray[], xs: NDArray[], createGraph: boolean): NDArray[] {
  const y = autograd.record(() => projected(fn, xs));
  return autograd.grad(y, xs, { createGraph });
}

/** Checks d/dx_k of sum_j w_j * g_j(x) (g = first derivatives) against central differences. */
function checkSecondOrder(fn: (...xs: NDArray[]) => NDArray | NDArray[], inputs: NDArray[]): void {
  const eps = 1e-5;
  const vars = inputs.map((x) => x.copy());
  vars.forEach((v) => v.attachGrad());
  const w = inputs.map((x, k) => weights(x.shape, 101 + k));
  const h = autograd.record(() => {
    const g = firstGrads(fn, vars, true);
    return g.map((gk, k) => gk.mul(w[k]).sum()).reduce((a, b) => a.add(b));
  });
  try {
    h.backward();
  } catch (err) {
    // A first derivative that does not depend on any input (linear ops) is a constant: it is not
    // in a graph, and the second derivative is zero, which the variables' zero buffers hold.
    if (!/not in a computational graph/.test((err as Error).message)) throw err;
  }
  const hAt = (xs: NDArray[]): number => {
    const leaves = xs.map((x) => x.copy());
    leaves.forEach((v) => v.attachGrad());
    const g = firstGrads(fn, leaves, false);
    return g.map((gk, k) => gk.mul(w[k]).sum().asScalar()).reduce((a, b) => a + b, 0);
  };
  inputs.forEach((input, k) => {
    const base = Float64Array.from(input.toTypedArray());
    const numeric = base.map((_, j) => {
      const at = (delta: number) => {
        const data = base.slice();
        data[j] += delta;
        return hAt(inputs.map((x, i) => (i === k ? nd.array(data, { dtype: 'float64' }).reshape(x.shape) : x)));
      };
      return (at(eps / 2) - at(-eps / 2)) / eps;
    });
    assertAlmostEqual(vars[k].grad!, numeric, { rtol: 1e-4, atol: 1e-6 });
  });
}

describe('second derivatives of every differentiable registry op (createGraph)', () => {
  const checked = ops.filter((o) => !(o.flags & FLAG_CREATION) && !(o.flags & FLAG_NO_GRAD) && recipes[o.name]);
  test('the list is not empty', () => expect(checked.length).toBeGreaterThan(40));
  describe.each(checked.map((o) => [o.name, o] as const))('%s', (name, o) => {
    const cases = recipes[name](o.domain as Domain);
    test.each(cases.map((c) => [c.label, c] as const))('%s', (_label, c) => {
      checkSecondOrder(c.fn, c.inputs);
    });
  });
});

describe('analytic higher derivatives', () => {
  const x0 = [-1.3, -0.2, 0.4, 1.1];
  const x = () => {
    const v = nd.array(x0, { dtype: 'float64' });
    v.attachGrad();
    return v;
  };
  /** d1, d2, d3 of f at x0, each from createGraph on the previous one. */
  function derivatives(f: (x: NDArray) => NDArray): number[][] {
    const v = x();
    const out: number[][] = [];
    let y = autograd.record(() => f(v));
    for (let order = 0; order < 3; order++) {
      const [g] = autograd.grad(y, v, { createGraph: true });
      out.push(Array.from(g.toTypedArray()));
      y = g;
    }
    return out;
  }
  const close = (got: number[], want: number[]) => assertAlmostEqual(got, want, { rtol: 1e-10, atol: 1e-12 });

  test('exp', () => {
    const d = derivatives((v) => v.exp());
    const e = x0.map(Math.exp);
    d.forEach((di) => close(di, e));
  });
  test('tanh', () => {
    const d = derivatives((v) => v.tanh());
    const t = x0.map(Math.tanh);
    close(d[0], t.map((t) => 1 - t * t));
    close(d[1], t.map((t) => -2 * t * (1 - t * t)));
    close(d[2], t.map((t) => (1 - t * t) * (6 * t * t - 2)));
  });
  test('sigmoid', () => {
    const d = derivatives((v) => v.sigmoid());
    const s = x0.map((x) => 1 / (1 + Math.exp(-x)));
    close(d[0], s.map((s) => s * (1 - s)));
    close(d[1], s.map((s) => s * (1 - s) * (1 - 2 * s)));
    close(d[2], s.map((s) => s * (1 - s) * (1 - 6 * s + 6 * s * s)));
  });
  test('pow: x^3 by a number and by an array exponent', () => {
    const d = derivatives((v) => v.pow(3));
    close(d[0], x0.map((x) => 3 * x * x));
    close(d[1], x0.map((x) => 6 * x));
    close(d[2], x0.map(() => 6));
    const p = [1.5, 2, 2.5, 3];
    const pos = x0.map((x) => Math.abs(x) + 0.5);
    const v = nd.array(pos, { dtype: 'float64' });
    v.attachGrad();
    const e = nd.array(p, { dtype: 'float64' });
    const [g1] = autograd.grad(autograd.record(() => v.pow(e)), v, { createGraph: true });
    const [g2] = autograd.grad(g1, v, { createGraph: true });
    close(Array.from(g2.toTypedArray()), pos.map((x, i) => p[i] * (p[i] - 1) * x ** (p[i] - 2)));
  });
  test('dot: mixed second derivative d/dB sum(W * d/dA sum(A.B)) = column sums of W', () => {
    const A = nd.array([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' });
    const B = nd.array([[1, -1], [2, 0.5], [0, 3]], { dtype: 'float64' });
    const W = nd.array([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' });
    A.attachGrad();
    B.attachGrad();
    const y = autograd.record(() => nd.dot(A, B).sum());
    const [gA] = autograd.grad(y, A, { createGraph: true });
    close(Array.from(gA.toTypedArray()), [0, 2.5, 3, 0, 2.5, 3]);
    autograd.record(() => gA.mul(W).sum()).backward();
    // d/dB_jk of sum_ij W_ij sum_k B_jk = sum_i W_ij, the same for every k.
    close(Array.from(B.grad!.toTypedArray()), [5, 5, 7, 7, 9, 9]);
  });
});
