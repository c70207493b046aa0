// Pooling and the normalizations beyond the golden cases of test/ops.golden.test.ts: batch norm
// in training mode (PyTorch data from test/fixtures/nn/gen_pool_norm_fixtures.py) with its
// in-place moving statistics, bad arguments, and large inputs that reach the vector and thread
// paths of the kernels.
import * as fs from 'fs';
import * as path from 'path';
import { autograd, nd, NDArray } from '../lib';
import { assertAlmostEqual } from '../lib/testing';
import { type GArray, toNDArray, values } from './helpers/golden';

interface TrainCase {
  id: string;
  opts: Record<string, unknown>;
  inputs: GArray[];
  outputs: GArray[];
  moving: GArray[];
}

interface GradCase {
  id: string;
  fn: string;
  opts: Record<string, unknown>;
  inputs: GArray[];
  dy: GArray;
  grads: GArray[];
}

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'nn', 'poolnorm_train.json'), 'utf8'));
const trainCases: TrainCase[] = fixture.cases;
const gradCases: GradCase[] = fixture.grads;

const f64 = (shape: number[], seed: number): NDArray => {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n).map(() => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return -2 + (4 * s) / 4294967296;
  });
  return nd.array(data, { dtype: 'float64' }).reshape(shape);
};

describe('batchNorm in training mode (PyTorch float64 data)', () => {
  test.each(trainCases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const [x, gamma, beta, mm, mv] = c.inputs.map(toNDArray);
    const outs = autograd.trainMode(() => nd.batchNorm(x, gamma, beta, mm, mv, { ...c.opts, outputMeanVar: true })) as NDArray[];
    c.outputs.forEach((want, i) => assertAlmostEqual(outs[i], values(want), { rtol: 1e-12, atol: 1e-12 }));
    // The moving statistics were written in place, with the biased batch variance (MXNet).
    assertAlmostEqual(mm, values(c.moving[0]), { rtol: 1e-12, atol: 1e-12 });
    assertAlmostEqual(mv, values(c.moving[1]), { rtol: 1e-12, atol: 1e-12 });
  });

  test('the MXNet spelling with snake_case keys trains the same way', () => {
    const c = trainCases[0];
    const [x, gamma, beta, mm, mv] = c.inputs.map(toNDArray);
    const snake = { eps: c.opts.eps, fix_gamma: c.opts.fixGamma, momentum: c.opts.momentum, axis: c.opts.axis, output_mean_var: true };
    const outs = autograd.trainMode(() => nd.BatchNorm(x, gamma, beta, mm, mv, snake as never)) as NDArray[];
    assertAlmostEqual(outs[0], values(c.outputs[0]), { rtol: 1e-12, atol: 1e-12 });
    assertAlmostEqual(mv, values(c.moving[1]), { rtol: 1e-12, atol: 1e-12 });
  });

  test('useGlobalStats (or not training) normalizes with the moving statistics and leaves them alone', () => {
    const c = trainCases[0];
    const [x, gamma, beta, mm, mv] = c.inputs.map(toNDArray);
    const before = [Array.from(mm.toTypedArray()), Array.from(mv.toTypedArray())];
    const a = autograd.trainMode(() => nd.batchNorm(x, gamma, beta, mm, mv, { ...c.opts, useGlobalStats: true })) as NDArray;
    const b = nd.batchNorm(x, gamma, beta, mm, mv, c.opts) as NDArray;
    assertAlmostEqual(a, b.toTypedArray(), { rtol: 0, atol: 0 });
    expect(Array.from(mm.toTypedArray())).toEqual(before[0]);
    expect(Array.from(mv.toTypedArray())).toEqual(before[1]);
  });

  test('the update is not recorded: training under record() backpropagates to x only', () => {
    const c = trainCases[0];
    const [x, gamma, beta, mm, mv] = c.inputs.map(toNDArray);
    x.attachGrad();
    const y = autograd.record(() => autograd.trainMode(() => (nd.batchNorm(x, gamma, beta, mm, mv, c.opts) as NDArray).square().sum()));
    y.backward();
    expect(x.grad).not.toBeNull();
    assertAlmostEqual(mm, values(c.moving[0]), { rtol: 1e-12, atol: 1e-12 });
  });

  test('the update bumps the version counter: a graph that saved the moving mean refuses its backward', () => {
    const c = trainCases[0];
    const [x, gamma, beta, mm, mv] = c.inputs.map(toNDArray);
    const w = nd.onesLike(mm);
    w.attachGrad();
    const z = autograd.record(() => w.mul(mm).sum());
    autograd.trainMode(() => nd.batchNorm(x, gamma, beta, mm, mv, c.opts));
    expect(() => z.backward()).toThrow(/modified|version|in place/i);
  });

  test('a moving statistic in the graph being recorded cannot be written', () => {
    const c = trainCases[0];
    const [x, gamma, beta, mm, mv] = c.inputs.map(toNDArray);
    mm.attachGrad();
    expect(() =>
      autograd.record(() => {
        const live = mm.mul(1);
        return autograd.trainMode(() => nd.batchNorm(x, gamma, beta, live, mv, c.opts));
      }),
    ).toThrow(/moving_average_update: cannot write input 0 in place while recording/);
  });
});

describe('gradients against PyTorch (the fused norm_grad op, and the registry-op form under createGraph)', () => {
  const ndAny = nd as unknown as Record<string, (...args: unknown[]) => NDArray>;
  test.each(gradCases.flatMap((c) => [[`${c.id}`, c, false] as const, [`${c.id}, createGraph`, c, true] as const]))(
    '%s',
    (_label, c, createGraph) => {
      const xs = c.inputs.map(toNDArray);
      const [x, gamma, beta] = xs;
      const { train, ...opts } = c.opts;
      const run = () => ndAny[c.fn](...xs, opts);
      [x, gamma, beta].forEach((v) => v.attachGrad());
      // record() trains by default (MXNet); the inference case asks for prediction mode.
      const y = autograd.record(() => (train ? autograd.trainMode(run) : autograd.predictMode(run)));
      const grads = autograd.grad(y, [x, gamma, beta], { headGrads: toNDArray(c.dy), createGraph } as never);
      grads.forEach((g, i) => assertAlmostEqual(g, values(c.grads[i]), { rtol: 1e-10, atol: 1e-10 }));
    },
  );
});

describe('bad arguments name the op and the option', () => {
  const x = nd.zeros([1, 2, 4, 4]);
  const c3 = nd.ones([3]);
  const c2 = nd.ones([2]);
  test.each([
    ['kernel larger than the padded input', () => nd.pooling(x, { kernel: [6, 2] }), /pooling: kernel \(6,2\) is larger than the padded input/],
    ['negative pad', () => nd.pooling(x, { kernel: [2, 2], pad: [-1, 0] }), /pooling: pad must not be negative/],
    ['zero stride', () => nd.pooling(x, { kernel: [2, 2], stride: [0, 1] }), /pooling: stride must be positive/],
    ['kernel of the wrong length', () => nd.pooling(x, { kernel: [2] }), /pooling: kernel must have 2 entries/],
    ['no kernel', () => nd.pooling(x, {}), /pooling: kernel is required unless globalPool/],
    ['a 2-D input', () => nd.pooling(nd.zeros([2, 3]), { kernel: [1] }), /pooling: input must be 3-D, 4-D or 5-D/],
    ['unknown pool type', () => nd.pooling(x, { kernel: [2, 2], poolType: 'median' as never }), /pooling.*poolType/],
    ['pValue 4', () => nd.pooling(x, { kernel: [2, 2], poolType: 'lp', pValue: 4 }), /pooling.*pValue/],
    ['wrong gamma shape', () => nd.batchNorm(x, c3, c2, c2, c2), /batch_norm: gamma must have shape \(2,?\), got \(3,?\)/],
    ['wrong moving variance shape', () => nd.batchNorm(x, c2, c2, c2, c3), /batch_norm: movingVar must have shape/],
    ['bad batch norm axis', () => nd.batchNorm(x, c2, c2, c2, c2, { axis: 4 }), /batch_norm.*axis/],
    ['bad layer norm axis', () => nd.layerNorm(x, c2, c2, { axis: -5 }), /layer_norm.*axis/],
    ['layer norm gamma length', () => nd.layerNorm(x, c2, c2), /layer_norm: gamma must have shape \(4,?\)/],
    ['groups not dividing channels', () => nd.groupNorm(nd.zeros([1, 3, 2]), c2, c2, { numGroups: 2 }), /group_norm: numGroups 2 must divide the 3 channels/],
    ['instance norm of a 2-D input', () => nd.instanceNorm(nd.zeros([2, 2]), c2, c2), /instance_norm: input must be at least 3-D/],
    ['l2 channel mode of a 2-D input', () => nd.l2Normalization(nd.zeros([2, 2]), { mode: 'channel' }), /l2_normalization: mode 'channel' needs/],
    ['l2 unknown mode', () => nd.l2Normalization(x, { mode: 'row' as never }), /l2_normalization.*mode/],
    ['batch norm of an int32 input', () => nd.batchNorm(nd.zeros([2, 2], { dtype: 'int32' }), c2, c2, c2, c2), /batch_norm: input must be float32 or float64/],
  ])('%s', (_label, thunk, message) => {
    expect(thunk).toThrow(message as RegExp);
  });
});

describe('large inputs (vector tails, threads) against registry-op formulas', () => {
  test('batchNorm training on (8, 5, 23, 17) matches (x - mean) / sqrt(var + eps) * gamma + beta', () => {
    const x = f64([8, 5, 23, 17], 3);
    const gamma = f64([5], 4);
    const beta = f64([5], 5);
    const y = autograd.trainMode(() => nd.batchNorm(x, gamma, beta, nd.zeros([5], { dtype: 'float64' }), nd.ones([5], { dtype: 'float64' }), { fixGamma: false, eps: 1e-3 })) as NDArray;
    const mean = x.mean({ axis: [0, 2, 3], keepdims: true });
    const v = x.sub(mean).square().mean({ axis: [0, 2, 3], keepdims: true });
    const want = x.sub(mean).div(v.add(1e-3).sqrt()).mul(gamma.reshape([1, 5, 1, 1])).add(beta.reshape([1, 5, 1, 1]));
    assertAlmostEqual(y, want.toTypedArray(), { rtol: 1e-10, atol: 1e-10 });
  });

  test('layerNorm on an inner axis of (6, 37, 45) matches the formula', () => {
    const x = f64([6, 37, 45], 7);
    const gamma = f64([37], 8);
    const beta = f64([37], 9);
    const y = nd.layerNorm(x, gamma, beta, { axis: 1 }) as NDArray;
    const mean = x.mean({ axis: 1, keepdims: true });
    const v = x.sub(mean).square().mean({ axis: 1, keepdims: true });
    const want = x.sub(mean).div(v.add(1e-5).sqrt()).mul(gamma.reshape([1, 37, 1])).add(beta.reshape([1, 37, 1]));
    assertAlmostEqual(y, want.toTypedArray(), { rtol: 1e-10, atol: 1e-10 });
  });

  test('float32 pooling and normalization agree with float64 on a (16, 8, 30, 30) input', () => {
    const x64 = f64([16, 8, 30, 30], 11);
    const x32 = x64.astype('float32');
    const cases: [string, (x: NDArray) => NDArray][] = [
      ['max 2x2', (x) => nd.pooling(x, { kernel: [2, 2], stride: [2, 2] })],
      ['global avg', (x) => nd.pooling(x, { globalPool: true, poolType: 'avg' })],
      ['avg 3x3 pad 1', (x) => nd.pooling(x, { kernel: [3, 3], pad: [1, 1], poolType: 'avg' })],
      ['layerNorm', (x) => nd.layerNorm(x, nd.ones([30], { dtype: x.dtype }), nd.zeros([30], { dtype: x.dtype })) as NDArray],
      ['groupNorm', (x) => nd.groupNorm(x, nd.ones([4], { dtype: x.dtype }), nd.zeros([4], { dtype: x.dtype }), { numGroups: 4 }) as NDArray],
      ['l2 channel', (x) => nd.l2Normalization(x, { mode: 'channel' })],
    ];
    for (const [label, f] of cases) {
      try {
        assertAlmostEqual(f(x32).astype('float64'), f(x64).toTypedArray(), { rtol: 2e-5, atol: 2e-5 });
      } catch (e) {
        throw new Error(`${label}: ${(e as Error).message}`);
      }
    }
  });

  test('max pooling gradient goes to the first maximum of each window (ties)', () => {
    const x = nd.array([[[[1, 1], [1, 1]]]], { dtype: 'float64' });
    x.attachGrad();
    autograd.record(() => nd.pooling(x, { kernel: [2, 2] })).backward();
    expect(Array.from(x.grad!.toTypedArray())).toEqual([1, 0, 0, 0]);
    // The 2x2 stride-2 path of the kernels, with a tie in each window.
    for (const dtype of ['float32', 'float64'] as const) {
      const t = nd.array([[[[1, 3, 3, 2], [3, 0, 1, 3]]]], { dtype });
      t.attachGrad();
      autograd.record(() => nd.pooling(t, { kernel: [2, 2], stride: [2, 2] })).backward();
      expect(Array.from(t.grad!.toTypedArray())).toEqual([0, 1, 1, 0, 0, 0, 0, 0]);
    }
  });
});
