// A whole Gluon training loop (MLP, SoftmaxCrossEntropyLoss, hand-written SGD on nd ops) on a
// synthetic task, and gluon.utils.clipGlobalNorm.
import mx, { autograd, gluon, init, nd, type NDArray } from '../lib';
import { assertAlmostEqual } from '../lib/testing';

const { nn } = gluon;

/** Three Gaussian blobs in 10 dimensions, n points each. */
function blobs(n: number): { x: NDArray; y: NDArray } {
  const centers = nd.random.normal({ scale: 2, shape: [3, 10] });
  const labels = nd.array(Array.from({ length: 3 * n }, (_, i) => i % 3));
  const x = centers.take(labels).add(nd.random.normal({ shape: [3 * n, 10] }));
  return { x, y: labels };
}

function accuracy(net: gluon.Block, x: NDArray, y: NDArray): number {
  return (net.forward(x) as NDArray).argmax(1).equal(y).mean().asScalar();
}

test('an MLP learns a synthetic task with a hand-written SGD step', () => {
  mx.random.seed(3);
  const { x, y } = blobs(100);
  const net = new nn.Sequential();
  net.add(new nn.Dense(32, { activation: 'relu' }), new nn.Dropout(0.1), new nn.Dense(3));
  net.initialize(new init.Xavier());
  const params = net.collectParams();
  const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();
  const lr = 0.1;
  const batch = 30;
  const epochLoss: number[] = [];
  for (let epoch = 0; epoch < 15; epoch++) {
    let total = 0;
    for (let start = 0; start < 300; start += batch) {
      nd.tidy(() => {
        const data = x.slice(start, start + batch);
        const label = y.slice(start, start + batch);
        const loss = autograd.record(() => lossFn.forward(net.forward(data), label));
        loss.backward();
        for (const p of params.values()) p.data().subInPlace(p.grad().mul(lr / batch));
        total += loss.sum().asScalar();
      });
    }
    epochLoss.push(total / 300);
  }
  expect(epochLoss[epochLoss.length - 1]).toBeLessThan(epochLoss[0] * 0.3);
  for (let i = 1; i < epochLoss.length; i++) expect(epochLoss[i]).toBeLessThan(epochLoss[0]);
  expect(accuracy(net, x, y)).toBeGreaterThan(0.95);
});

describe('clipGlobalNorm', () => {
  test('scales every array by maxNorm / total when the total is larger, returns the total', () => {
    const a = nd.array([3, 0]);
    const b = nd.array([[0, 4]]);
    expect(gluon.utils.clipGlobalNorm([a, b], 1)).toBeCloseTo(5, 6);
    assertAlmostEqual(a, [0.6, 0]);
    assertAlmostEqual(b, [[0, 0.8]]);
    const c = nd.array([1, 1]);
    expect(gluon.utils.clipGlobalNorm([c], 10)).toBeCloseTo(Math.SQRT2, 6);
    expect(c.toArray()).toEqual([1, 1]);
  });

  test('float64 arrays, a NaN total warns, bad arguments are errors', () => {
    const d = nd.array([6, 8], { dtype: 'float64' });
    expect(gluon.utils.clipGlobalNorm([d], 5)).toBeCloseTo(10, 12);
    assertAlmostEqual(d, [3, 4], { rtol: 1e-8 });
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    gluon.utils.clipGlobalNorm([nd.array([NaN, 1])], 1);
    expect(warn).toHaveBeenCalledWith('nan or inf is detected. Clipping results will be undefined.');
    warn.mockRestore();
    expect(() => gluon.utils.clipGlobalNorm([], 1)).toThrow('clipGlobalNorm: arrays must be a non-empty list of NDArrays');
    expect(() => gluon.utils.clipGlobalNorm([nd.ones([1]), 2 as never], 1)).toThrow('clipGlobalNorm: arrays[1] must be an NDArray, got number');
  });
});
