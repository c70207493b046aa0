// Pooling and the normalizations beyond the golden cases of test/ops.golden.test.ts: batch norm
// in training mode (PyTorch data from test/fixtures/nn/gen_pool_norm_fixtures.py) with its
// in-place moving statistics, bad arguments, and large inputs that reach the vector and thread
// paths of the kernels.
import * as fs from 'fs';
import * as path from 'path';
import { autograd, gluon, nd, NDArray } from '../lib';
import { invokeMulti } from '../lib/core/dispatch';
import { assertAlmostEqual } from '../lib/testing';
import { expectError } from './helpers/errors';
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

describe('pooling over an empty spatial axis', () => {
  // Every window of an input with a 0 among its spatial sizes is empty (with pad: padding alone).
  // MXNet 1.9 returns the lowest float for max and 0 for the others; ndgrad returned the lowest
  // float and, for a global avg, 0 / 0 = NaN. PyTorch raises, and so does ndgrad now.
  const TYPES = ['max', 'avg', 'sum', 'lp'] as const;
  const cases: [string, number[], Record<string, unknown>][] = [];
  for (const d of [1, 2, 3]) {
    for (let axis = 0; axis < d; axis++) {
      const shape = [2, 3, ...Array.from({ length: d }, (_, i) => (i === axis ? 0 : 3))];
      const ones = Array.from({ length: d }, () => 1);
      for (const poolType of TYPES) {
        cases.push([`${d}-D ${poolType} global, axis ${axis}`, shape, { globalPool: true, poolType }]);
        // kernel 1 with pad 1 fits the padded input (0 + 2): windows of padding alone
        cases.push([`${d}-D ${poolType} kernel 1 pad 1, axis ${axis}`, shape, { kernel: ones, pad: ones, poolType }]);
        cases.push([`${d}-D ${poolType} full, kernel 2 pad 1 stride 2, axis ${axis}`, shape, { kernel: ones.map(() => 2), pad: ones, stride: ones.map(() => 2), poolingConvention: 'full', poolType }]);
      }
    }
  }
  const message = (shape: number[], o: Record<string, unknown>, axis: number) =>
    new RegExp(
      `^pooling: data of shape \\(${shape.join(',')}\\) has size 0 on spatial axis ${axis} \\(dimension ${axis + 2}\\): every ${o.globalPool ? 'globalPool ' : ''}window would be empty, and ${o.poolType} pooling of no elements is not defined$`,
    );
  test.each(cases)('%s: a RangeError naming the op, the input and its shape', (_label, shape, o) => {
    const axis = shape.indexOf(0, 2) - 2;
    for (const dtype of ['float32', 'float64'] as const) {
      const x = nd.zeros(shape, { dtype });
      expectError(() => nd.pooling(x, o), RangeError, message(shape, o, axis));
      // recording (max: the index output too) and with an empty batch as well: the windows are
      // what is undefined, whatever the batch
      x.attachGrad();
      expect(() => autograd.record(() => nd.pooling(x, o))).toThrow(message(shape, o, axis));
      const noBatch = [0, ...shape.slice(1)];
      expect(() => nd.Pooling(nd.zeros(noBatch, { dtype }), o)).toThrow(message(noBatch, o, axis));
    }
  });

  test('the internal gradient ops check the same', () => {
    const x = nd.zeros([1, 2, 0, 3]);
    for (const poolType of ['max', 'avg', 'sum']) {
      const o = { globalPool: true, poolType };
      expect(() => invokeMulti('pooling_grad', [nd.zeros([1, 2, 1, 1]), x], o)).toThrow(/^pooling_grad: data of shape \(1,2,0,3\) has size 0 on spatial axis 0 \(dimension 2\): every globalPool window would be empty/);
    }
    expect(() => invokeMulti('pooling_select', [x, x], { kernel: [1, 1], pad: [1, 1] })).toThrow(/^pooling_select: data of shape \(1,2,0,3\) has size 0 on spatial axis 0 \(dimension 2\): every window would be empty, and max pooling/);
  });

  test('the Gluon pooling layers raise it', () => {
    const { nn } = gluon;
    const layers: [string, () => { forward(x: NDArray): NDArray }, number][] = [
      ['MaxPool1D', () => new nn.MaxPool1D(1, 1, 1), 1],
      ['MaxPool2D', () => new nn.MaxPool2D([1, 1], [1, 1], [1, 1]), 2],
      ['MaxPool3D', () => new nn.MaxPool3D(), 3],
      ['AvgPool1D', () => new nn.AvgPool1D(), 1],
      ['AvgPool2D', () => new nn.AvgPool2D([2, 2], [1, 1], [1, 1]), 2],
      ['AvgPool3D', () => new nn.AvgPool3D(1, 1, 1), 3],
      ['GlobalMaxPool1D', () => new nn.GlobalMaxPool1D(), 1],
      ['GlobalMaxPool2D', () => new nn.GlobalMaxPool2D(), 2],
      ['GlobalMaxPool3D', () => new nn.GlobalMaxPool3D(), 3],
      ['GlobalAvgPool1D', () => new nn.GlobalAvgPool1D(), 1],
      ['GlobalAvgPool2D', () => new nn.GlobalAvgPool2D(), 2],
      ['GlobalAvgPool3D', () => new nn.GlobalAvgPool3D(), 3],
    ];
    for (const [name, make, d] of layers) {
      const shape = [2, 3, ...Array.from({ length: d }, (_, i) => (i === d - 1 ? 0 : 4))];
      const layer = make();
      const type = name.includes('Max') ? 'max' : 'avg';
      const global = name.startsWith('Global') ? 'globalPool ' : '';
      expect(() => layer.forward(nd.zeros(shape))).toThrow(
        new RegExp(`^pooling: data of shape \\(${shape.join(',')}\\) has size 0 on spatial axis ${d - 1} .*: every ${global}window would be empty, and ${type} pooling`),
      );
      // the same layer on non-empty planes still works
      expect(layer.forward(nd.ones([2, 3, ...Array.from({ length: d }, () => 4)])).shape.slice(0, 2)).toEqual([2, 3]);
    }
  });

  test('a zero batch or zero channels over non-empty planes gives an empty result, forward and backward', () => {
    for (const d of [1, 2, 3]) {
      const plane = Array.from({ length: d }, () => 4);
      const ones = plane.map(() => 1);
      for (const lead of [[0, 3], [2, 0], [0, 0]]) {
        const shape = [...lead, ...plane];
        for (const poolType of TYPES) {
          for (const o of [{ globalPool: true }, { kernel: plane.map(() => 2), stride: plane.map(() => 2) }, { kernel: plane.map(() => 3), pad: ones, poolingConvention: 'full' }]) {
            const x = nd.zeros(shape);
            x.attachGrad();
            const y = autograd.record(() => nd.pooling(x, { ...o, poolType }));
            const spatial = 'globalPool' in o ? ones : 'pad' in o ? plane.map(() => 4) : plane.map(() => 2);
            expect([d, lead, poolType, o, y.shape]).toEqual([d, lead, poolType, o, [...lead, ...spatial]]);
            expect(y.toTypedArray()).toHaveLength(0);
            y.backward();
            expect([d, lead, poolType, o, x.grad!.shape]).toEqual([d, lead, poolType, o, shape]);
          }
        }
      }
    }
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
