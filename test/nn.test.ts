// fullyConnected and softmaxCrossEntropy (one registry op each): values against hand-computed
// NumPy-style expectations, their argument checks, and gradients.
import { autograd, nd, NDArray } from '../lib';
import { assertAlmostEqual, checkNumericGradient } from '../lib/testing';
import { invoke } from '../lib/core/dispatch';
import { expectError } from './helpers/errors';

const f64 = (v: number[][] | number[]) => nd.array(v, { dtype: 'float64' });

test('fullyConnected computes flatten(x) . W^T + b', () => {
  const x = f64([[[1, 2], [3, 4]], [[0, 1], [1, 0]]]); // (2, 2, 2) -> flattened (2, 4)
  const w = f64([[1, 0, 0, 1], [0.5, 0.5, 0.5, 0.5], [1, -1, 1, -1]]);
  const b = f64([0.1, 0.2, 0.3]);
  const y = nd.fullyConnected(x, w, b, { numHidden: 3 });
  assertAlmostEqual(y, [[5.1, 5.2, -1.7], [0.1, 1.2, 0.3]], { rtol: 1e-12 });
  expect(nd.FullyConnected(x, w, null, { noBias: true }).shape).toEqual([2, 3]);
  expect(() => nd.fullyConnected(x, w, b, { numHidden: 4 })).toThrow(/numHidden 4 does not match weight rows 3/);
  const noFlat = nd.fullyConnected(f64([[[1, 2, 3, 4]]]), w, b, { flatten: false });
  expect(noFlat.shape).toEqual([1, 1, 3]);
});

test('fullyConnected refuses a bias that contradicts noBias, as convolution does', () => {
  const x = f64([[1, 2], [3, 4]]);
  const w = f64([[1, 0], [0, 1]]);
  const b = f64([1, 2]);
  // MXNet counts FullyConnected's inputs from no_bias and refuses 3 inputs with no_bias=True.
  expect(() => nd.fullyConnected(x, w, b, { noBias: true })).toThrow(
    new TypeError('fullyConnected: a bias was given with noBias true'),
  );
  expect(() => nd.fullyConnected(x, w, null, { noBias: false })).toThrow(
    new TypeError('fullyConnected: noBias is false but no bias was given'),
  );
  expect(() => nd.fullyConnected(x, w, { noBias: false })).toThrow(TypeError);
  expect(nd.fullyConnected(x, w).toArray()).toEqual([[1, 2], [3, 4]]);
  expect(nd.fullyConnected(x, w, b, { noBias: false }).toArray()).toEqual([[2, 4], [4, 6]]);
});

test('the fully_connected op throws a TypeError for a wrong input count, as every op does', () => {
  const x = f64([[1, 2], [3, 4]]);
  expectError(() => invoke('fully_connected', [x]), TypeError, 'fully_connected: takes data, weight and an optional bias, got 1 inputs');
  expectError(() => invoke('fully_connected', [x, x, nd.zeros([2], { dtype: 'float64' }), x]), TypeError, 'got 4 inputs');
  expectError(() => invoke('softmax_ce_grad', [x, nd.array([0, 1])]), TypeError, 'softmax_ce_grad: expected 3 inputs, got 2');
});

test('softmaxCrossEntropy is -sum log softmax(x)[label] with shape [1]', () => {
  const logits = f64([[1, 2, 3], [4, 5, 6]]);
  const loss = nd.softmaxCrossEntropy(logits, nd.array([2, 0]));
  const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
  const expected = -(3 - lse([1, 2, 3]) + (4 - lse([4, 5, 6])));
  expect(loss.shape).toEqual([1]);
  expect(loss.asScalar()).toBeCloseTo(expected, 12);
  expect(nd.softmax_cross_entropy(logits, nd.array([2, 0])).asScalar()).toBeCloseTo(expected, 12);
});

test('their gradients match central differences', () => {
  const x = f64([[0.3, -1.2, 0.5, 2], [1, 0.1, -0.4, 0.7]]);
  const w = f64([[0.2, -0.5, 1, 0.3], [-0.7, 0.4, 0.1, 0.9], [0.5, 0.5, -0.2, -1]]);
  const b = f64([0.1, -0.2, 0.05]);
  checkNumericGradient((xx, ww, bb) => nd.fullyConnected(xx, ww, bb).tanh(), [x, w, b]);
  const labels = nd.array([1, 2]);
  checkNumericGradient((xx, ww, bb) => nd.softmaxCrossEntropy(nd.fullyConnected(xx, ww, bb), labels), [x, w, b]);
});

test('the cross-entropy gradient is softmax minus one-hot', () => {
  const logits = f64([[1, 2, 3], [4, 5, 6]]);
  logits.attachGrad();
  autograd.record(() => nd.softmaxCrossEntropy(logits, nd.array([2, 0]))).backward();
  const expected: NDArray = logits.softmax().sub(nd.oneHot(nd.array([2, 0]), 3, { dtype: 'float64' }));
  assertAlmostEqual(logits.grad!, expected, { rtol: 1e-12, atol: 1e-15 });
});

test('second and third derivatives of softmax match the analytic Jacobian', () => {
  // For s = softmax(x) (one row), d s_i / d x_j = s_i (delta_ij - s_j). Check the gradient of
  // sum(w * ds/dx . v) by comparing to finite differences through createGraph twice.
  const x = f64([0.2, -0.5, 1.1]);
  x.attachGrad();
  const w = f64([0.3, 1.0, -0.6]);
  const s = autograd.record(() => x.softmax());
  const [g1] = autograd.grad(autograd.record(() => s.mul(w).sum()), x, { createGraph: true });
  const sv = Array.from(x.softmax().toTypedArray());
  const wv = [0.3, 1.0, -0.6];
  const ws = wv.reduce((acc, wi, i) => acc + wi * sv[i], 0);
  assertAlmostEqual(g1, sv.map((si, j) => si * (wv[j] - ws)), { rtol: 1e-12, atol: 1e-15 });
  const [g2] = autograd.grad(autograd.record(() => g1.square().sum()), x, { createGraph: true });
  const [g3] = autograd.grad(autograd.record(() => g2.sum()), x);
  const h = 1e-5;
  const g2At = (v: number[]) => {
    const xv = f64(v);
    xv.attachGrad();
    const [a] = autograd.grad(autograd.record(() => xv.softmax().mul(w).sum()), xv, { createGraph: true });
    const [b] = autograd.grad(autograd.record(() => a.square().sum()), xv);
    return Array.from(b.toTypedArray());
  };
  const x0 = [0.2, -0.5, 1.1];
  const numeric = x0.map((_, j) => {
    const up = x0.slice();
    const down = x0.slice();
    up[j] += h;
    down[j] -= h;
    return (g2At(up).reduce((a, b) => a + b, 0) - g2At(down).reduce((a, b) => a + b, 0)) / (2 * h);
  });
  assertAlmostEqual(g3, numeric, { rtol: 1e-5, atol: 1e-8 });
});
