// Activations, add_n, embedding, sequence masks, padding and upsampling: the semantics a value
// table does not show (NaN through relu, rrelu's random slopes, threaded gathers and scatters) and
// the bad arguments, which must be errors naming the op and the option. Values against NumPy are
// in test/ops.golden.test.ts (test/fixtures/ops/nnact.json), gradients in test/gradcheck.test.ts.
import { autograd, nd, NDArray } from '../lib';
import { checkNumericGradient } from '../lib/testing';

function gradOf(x: NDArray, f: (x: NDArray) => NDArray): number[] {
  x.attachGrad();
  autograd.record(() => f(x)).backward();
  return Array.from(x.grad!.toTypedArray());
}

describe('relu passes NaN through with a NaN gradient (MXNet)', () => {
  test.each([
    ['x.relu()', (x: NDArray) => x.relu()],
    ["activation relu", (x: NDArray) => nd.activation(x, { actType: 'relu' })],
  ])('%s', (_, f) => {
    const x = nd.array([NaN, -1, 0, 2]);
    expect(Array.from(f(x).toTypedArray())).toEqual([NaN, 0, 0, 2]);
    expect(gradOf(x, f)).toEqual([NaN, 0, 0, 1]);
  });
});

describe('rrelu', () => {
  const x = nd.full([2000], -1);

  test('while training, a slope per element from U[lowerBound, upperBound), the same for a seed', () => {
    nd.random.seed(42);
    const a = autograd.trainMode(() => nd.leakyRelu(x, { actType: 'rrelu', lowerBound: 0.2, upperBound: 0.5 }));
    nd.random.seed(42);
    const b = autograd.trainMode(() => nd.LeakyReLU(x, { act_type: 'rrelu', lower_bound: 0.2, upper_bound: 0.5 } as never));
    const slopes = Array.from(a.toTypedArray()).map((v) => -v);
    expect(Array.from(b.toTypedArray())).toEqual(Array.from(a.toTypedArray()));
    expect(Math.min(...slopes)).toBeGreaterThanOrEqual(0.2 - 1e-7);
    expect(Math.max(...slopes)).toBeLessThan(0.5);
    const mean = slopes.reduce((s, v) => s + v, 0) / slopes.length;
    // 5 sigma of the mean of 2000 draws of U[0.2, 0.5)
    expect(Math.abs(mean - 0.35)).toBeLessThan((5 * 0.3) / Math.sqrt(12 * 2000));
  });

  test('the gradient is the drawn slope below zero, 1 above', () => {
    const v = nd.array([-2, 3, -1, -4]);
    v.attachGrad();
    nd.random.seed(5);
    const y = autograd.record(() => nd.leakyRelu(v, { actType: 'rrelu' }));
    y.backward();
    const out = y.toTypedArray();
    const slopes = [out[0] / -2, 1, out[2] / -1, out[3] / -4];
    Array.from(v.grad!.toTypedArray()).forEach((g, i) => expect(g).toBeCloseTo(slopes[i], 6));
  });

  test('predicting, the mean of the bounds', () => {
    expect(Array.from(nd.leakyRelu(nd.array([-2, 3]), { actType: 'rrelu' }).toTypedArray())).toEqual([
      Math.fround(-2 * Math.fround((0.125 + 0.334) / 2)),
      3,
    ]);
  });
});

describe('prelu', () => {
  test('one slope per channel; the gamma gradient sums x * g where x <= 0', () => {
    const x = nd.array([[[-1, 2], [3, -4]], [[-5, 6], [-7, 8]]]); // (batch 2, channel 2, 2)
    const gamma = nd.array([0.5, 0.25]);
    gamma.attachGrad();
    const y = autograd.record(() => nd.leakyRelu(x, gamma, { actType: 'prelu' }));
    expect(y.toArray()).toEqual([[[-0.5, 2], [3, -1]], [[-2.5, 6], [-1.75, 8]]]);
    y.backward();
    expect(Array.from(gamma.grad!.toTypedArray())).toEqual([-6, -11]);
  });
});

describe('threaded kernels agree with a plain loop', () => {
  test('leakyRelu gelu and elu over 200,003 elements', () => {
    const n = 200003;
    const data = new Float64Array(n).map((_, i) => ((i * 7919) % 2003) / 200 - 5);
    const x = nd.array(data, { dtype: 'float64' });
    const gelu = nd.leakyRelu(x, { actType: 'gelu' }).toTypedArray();
    const elu = nd.leakyRelu(x, { actType: 'elu', slope: 0.3 }).toTypedArray();
    for (let i = 0; i < n; i += 997) {
      const v = data[i];
      expect(elu[i]).toBeCloseTo(v > 0 ? v : 0.3 * Math.expm1(v), 12);
      expect(gelu[i]).toBeCloseTo(0.5 * v * (1 + erf(v / Math.SQRT2)), 10);
    }
  });

  test('embedding forward and the scatter-add of its weight gradient, 20,000 indices x 96', () => {
    const rows = 500;
    const dim = 96;
    const count = 20000;
    const idx = new Float32Array(count).map((_, i) => (i * 37) % (rows + 20) - 10); // some out of range
    const w = nd.array(new Float32Array(rows * dim).map((_, i) => (i % 13) - 6)).reshape([rows, dim]);
    w.attachGrad();
    const indices = nd.array(idx);
    const y = autograd.record(() => nd.embedding(indices, w, { inputDim: rows, outputDim: dim }));
    const out = y.toTypedArray();
    const wv = w.toTypedArray();
    const clip = (v: number) => Math.min(rows - 1, Math.max(0, Math.trunc(v)));
    for (let r = 0; r < count; r += 101) for (let j = 0; j < dim; j += 7) expect(out[r * dim + j]).toBe(wv[clip(idx[r]) * dim + j]);
    y.backward();
    const hits = new Array(rows).fill(0);
    for (const v of idx) hits[clip(v)]++;
    const g = w.grad!.toTypedArray();
    for (let k = 0; k < rows; k++) for (let j = 0; j < dim; j += 5) expect(g[k * dim + j]).toBe(hits[k]);
  });
});

describe('addN', () => {
  test('sums any number of arrays, as arguments or a list', () => {
    const a = nd.array([1, 2]);
    const b = nd.array([10, 20]);
    expect(nd.addN(a, b, a).toArray()).toEqual([12, 24]);
    expect(nd.ElementWiseSum([a, b]).toArray()).toEqual([11, 22]);
  });
});

describe('bad arguments name the op and the option', () => {
  const x4 = nd.ones([1, 2, 3, 4]);
  test.each([
    ['activation without actType', () => nd.activation(nd.ones([2]), {} as never), /activation: option 'actType' is required/],
    ['activation of int32', () => nd.activation(nd.ones([2], { dtype: 'int32' }), { actType: 'relu' }), /activation: data must be float32 or float64, got int32/],
    ['activation unknown type', () => nd.activation(nd.ones([2]), { actType: 'swish' } as never), /activation: actType .*'swish'/],
    ['prelu without gamma', () => nd.leakyRelu(nd.ones([2, 3]), { actType: 'prelu' }), /leaky_relu: actType 'prelu' takes 2 input\(s\)/],
    ['prelu gamma of the wrong size', () => nd.leakyRelu(nd.ones([2, 3]), nd.ones([4]), { actType: 'prelu' }), /leaky_relu: gamma \(4,\) does not broadcast to data \(2,3\) \(one slope per channel: shape \(3,\) or \(1,\)\)/],
    ['rrelu bounds reversed', () => nd.leakyRelu(nd.ones([2]), { actType: 'rrelu', lowerBound: 0.5, upperBound: 0.1 }), /leaky_relu: lowerBound 0.5\d* is above upperBound 0.1/],
    ['smoothL1 scalar 0', () => nd.smoothL1(nd.ones([2]), { scalar: 0 }), /smooth_l1: scalar .*got 0/],
    ['addN shapes differ', () => nd.addN(nd.ones([2]), nd.ones([3])), /add_n: array 1 is float32 \(3,\), array 0 is float32 \(2,\)/],
    ['addN of nothing', () => nd.addN(), /add_n: needs at least one array/],
    ['embedding weight shape', () => nd.embedding(nd.ones([2]), nd.ones([4, 3]), { inputDim: 5, outputDim: 3 }), /embedding: weight must have shape \(inputDim, outputDim\) = \(5, 3\), got \(4,3\)/],
    ['embedding without inputDim', () => nd.embedding(nd.ones([2]), nd.ones([4, 3]), { outputDim: 3 } as never), /embedding: option 'inputDim' is required/],
    ['sequenceMask lengths shape', () => nd.sequenceMask(nd.ones([4, 3]), nd.ones([4]), { useSequenceLength: true }), /sequence_mask: sequenceLength must have shape \(3,\)/],
    ['sequenceMask lengths without the flag', () => nd.sequenceMask(nd.ones([4, 3]), nd.ones([3])), /sequence_mask: useSequenceLength false takes 1 input/],
    ['sequenceMask axis 2', () => nd.sequenceMask(nd.ones([4, 3]), { axis: 2 as never }), /sequence_mask: axis .*got 2/],
    ['sequenceMask 1-D data', () => nd.sequenceMask(nd.ones([4])), /sequence_mask: data must have at least 2 axes/],
    ['pad 3-D', () => nd.pad(nd.ones([2, 3, 4]), { padWidth: [0, 0, 0, 0, 1, 1] }), /pad: data must be 4-D or 5-D/],
    ['pad on the batch axis', () => nd.pad(x4, { padWidth: [1, 0, 0, 0, 1, 1, 1, 1] }), /pad: padWidth must be 0 on the first two axes/],
    ['pad width count', () => nd.pad(x4, { padWidth: [0, 0, 0, 0, 1, 1] }), /pad: padWidth must hold 8 numbers/],
    ['pad negative', () => nd.pad(x4, { padWidth: [0, 0, 0, 0, -1, 1, 1, 1] }), /pad: padWidth must not be negative, got \(0,0,0,0,-1,1,1,1\)/],
    ['pad reflect too wide', () => nd.pad(x4, { mode: 'reflect', padWidth: [0, 0, 0, 0, 3, 0, 1, 1] }), /pad: reflect padding of axis 2 must be smaller than its size 3, got \(3, 0\)/],
    ['pad without options', () => nd.pad(x4, undefined as never), /pad: options must be an object with padWidth/],
    ['upSampling bilinear without weight', () => nd.upSampling(x4, { scale: 2, sampleType: 'bilinear' }), /upSampling: sampleType 'bilinear' takes a weight input/],
    ['upSampling bilinear numFilter', () => nd.upSampling(x4, nd.ones([2, 1, 4, 4]), { scale: 2, sampleType: 'bilinear', numFilter: 3 }), /upSampling: numFilter must be the channel count 2 for bilinear, got 3/],
    ['upSampling weight with nearest', () => nd.upSampling(x4, nd.ones([2, 1, 4, 4]), { scale: 2 }), /upSampling: a weight input is for sampleType 'bilinear', got sampleType undefined/],
    ['upSampling bilinear unknown key', () => nd.upSampling(x4, nd.ones([2, 1, 4, 4]), { scale: 2, sampleType: 'bilinear', numFilter: 2, scal: 1 } as never), /upSampling: unknown option 'scal'/],
    ['upSampling 3-D', () => nd.upSampling(nd.ones([2, 3, 4]), { scale: 2 }), /up_sampling: data must be 4-D/],
    ['upSampling scale 0', () => nd.upSampling(x4, { scale: 0 }), /up_sampling: scale .*got 0/],
  ])('%s', (_, call, message) => {
    expect(call).toThrow(message);
  });
});

// erf to double precision for |x| < 6: the Taylor series below 2.5, the continued fraction of
// erfc above.
function erf(x: number): number {
  const t = Math.abs(x);
  if (t < 2.5) {
    let sum = t;
    let term = t;
    for (let n = 1; n < 80; n++) {
      term *= (-t * t) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * sum * (2 / Math.sqrt(Math.PI));
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (t + f);
  return Math.sign(x) * (1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f));
}

describe('upSampling bilinear (MXNet: a depthwise deconvolution with the given weight)', () => {
  test("MXNet's documented example: ones (1, 1, 3, 3), weight ones (1, 1, 4, 4), scale 2", () => {
    const y = nd.UpSampling(nd.ones([1, 1, 3, 3]), nd.ones([1, 1, 4, 4]), { scale: 2, sample_type: 'bilinear', num_filter: 1 } as never);
    const edge = [1, 2, 2, 2, 2, 1];
    const inner = [2, 4, 4, 4, 4, 2];
    expect(y.toArray()).toEqual([[[edge, inner, inner, inner, inner, edge]]]);
  });

  test('shapes for odd and even scales; float64 gradients to data and weight', () => {
    for (const scale of [2, 3]) {
      const k = 2 * scale - (scale % 2);
      const y = nd.upSampling(nd.ones([2, 3, 4, 5]), nd.ones([3, 1, k, k]), { scale, sampleType: 'bilinear', numFilter: 3 });
      expect(y.shape).toEqual([2, 3, 4 * scale, 5 * scale]);
    }
    const x = nd.random.normal({ shape: [1, 2, 3, 3], dtype: 'float64' });
    const w = nd.random.normal({ shape: [2, 1, 4, 4], dtype: 'float64' });
    checkNumericGradient((a, b) => nd.upSampling(a, b, { scale: 2, sampleType: 'bilinear', numFilter: 2 }), [x, w]);
  });
});
