// Every gluon.nn layer with a gradient, cast to float64: the gradient of its forward with respect
// to its input and to each of its parameters against central differences; and a small CNN
// (conv, batch norm, pool, dense) trained on a synthetic task, saved and loaded into a fresh net.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mx, { autograd, gluon, init, nd, type NDArray } from '../lib';
import { checkNumericGradient } from '../lib/testing';
import { trainFullBatch } from './helpers/train';

const { nn } = gluon;

/** The layer in float64 with its parameters initialized on the first forward of x. */
function prepared(layer: gluon.Block, x: NDArray): gluon.Block {
  layer.initialize(new init.Uniform(0.5));
  layer.cast('float64');
  autograd.pause(() => layer.forward(x));
  return layer;
}

/**
 * d sum(R * layer(x)) / d param (R a fixed random array) from backward into the parameter's own
 * gradient buffer, against central differences of the parameter's values set between forwards.
 */
function checkParamGradient(layer: gluon.Block, p: gluon.Parameter, x: NDArray, run: (f: () => NDArray) => NDArray): void {
  const R = nd.random.normal({ shape: (autograd.pause(() => run(() => layer.forward(x) as NDArray))).shape, dtype: 'float64' });
  const loss = (): number => autograd.pause(() => run(() => (layer.forward(x) as NDArray).mul(R).sum())).asScalar();
  autograd.record(() => run(() => (layer.forward(x) as NDArray).mul(R).sum())).backward();
  const analytic = Array.from(p.grad().toTypedArray() as Float64Array);
  const base = Float64Array.from(p.data().toTypedArray() as Float64Array);
  const eps = 1e-6;
  base.forEach((v, j) => {
    const at = (delta: number): number => {
      const w = base.slice();
      w[j] = v + delta;
      p.setData(nd.array(w, { dtype: 'float64' }).reshape(p.data().shape));
      return loss();
    };
    const numeric = (at(eps) - at(-eps)) / (2 * eps);
    expect(Math.abs(numeric - analytic[j]!)).toBeLessThan(1e-6 + 1e-5 * Math.abs(numeric));
  });
  p.setData(nd.array(base, { dtype: 'float64' }).reshape(p.data().shape));
}

/** Checks d(layer(x))/dx and d(layer(x))/dparam for every parameter that trains. */
function checkLayer(make: () => gluon.Block, shape: number[], opts: { input?: NDArray; train?: boolean } = {}): void {
  mx.random.seed(5);
  const x = opts.input ?? nd.random.normal({ shape, dtype: 'float64' });
  const layer = prepared(make(), x);
  const run = (f: () => NDArray) => (opts.train ? autograd.trainMode(f) : f());
  if (opts.input === undefined) checkNumericGradient((xi) => run(() => layer.forward(xi) as NDArray), [x]);
  for (const p of layer.collectParams().values()) if (p.gradReq !== 'null') checkParamGradient(layer, p, x, run);
}

describe('float64 gradients of each layer (input and parameters)', () => {
  test('Dense, Conv1D/2D/3D, Conv1D/2DTranspose', () => {
    checkLayer(() => new nn.Dense(3, { activation: 'tanh' }), [2, 4]);
    checkLayer(() => new nn.Conv1D(2, 3, { padding: 1 }), [2, 2, 5]);
    checkLayer(() => new nn.Conv2D(3, 3, { strides: 2, padding: 1, activation: 'sigmoid' }), [1, 2, 5, 5]);
    checkLayer(() => new nn.Conv3D(2, 2), [1, 1, 3, 3, 3]);
    checkLayer(() => new nn.Conv1DTranspose(2, 3, { strides: 2 }), [1, 2, 4]);
    checkLayer(() => new nn.Conv2DTranspose(2, 3, { strides: 2, outputPadding: 1 }), [1, 2, 3, 3]);
  });

  test('pools (inputs drawn at random: no ties in max windows)', () => {
    checkLayer(() => new nn.MaxPool2D(2, 2), [1, 2, 4, 4]);
    checkLayer(() => new nn.AvgPool2D(3, 1, 1), [1, 2, 4, 4]);
    checkLayer(() => new nn.MaxPool1D(2), [1, 2, 6]);
    checkLayer(() => new nn.AvgPool3D(2), [1, 1, 4, 4, 4]);
    checkLayer(() => new nn.GlobalAvgPool2D(), [2, 3, 3, 3]);
    checkLayer(() => new nn.GlobalMaxPool1D(), [2, 3, 5]);
  });

  test('BatchNorm (training and inference), LayerNorm, InstanceNorm, GroupNorm', () => {
    checkLayer(() => new nn.BatchNorm(), [4, 3, 2, 2], { train: true });
    checkLayer(() => new nn.BatchNorm({ useGlobalStats: true }), [4, 3, 2, 2]);
    checkLayer(() => new nn.LayerNorm(), [3, 5]);
    checkLayer(() => new nn.InstanceNorm({ scale: true }), [2, 3, 4]);
    checkLayer(() => new nn.GroupNorm({ numGroups: 2 }), [2, 4, 3]);
  });

  test('Embedding (weight), activations, PReLU, Flatten', () => {
    checkLayer(() => new nn.Embedding(5, 3), [0], { input: nd.array([[0, 4], [2, 2]], { dtype: 'float64' }) });
    checkLayer(() => new nn.LeakyReLU(0.1), [3, 4]);
    checkLayer(() => new nn.ELU(0.7), [3, 4]);
    checkLayer(() => new nn.SELU(), [3, 4]);
    checkLayer(() => new nn.GELU(), [3, 4]);
    checkLayer(() => new nn.PReLU({ inChannels: 3 }), [2, 3, 2]);
    checkLayer(() => new nn.Activation('softrelu'), [3, 4]);
    checkLayer(() => new nn.Swish(), [3, 4]);
    checkLayer(() => new nn.Flatten(), [2, 3, 2]);
  });
});

test('a small CNN (conv, batch norm, pool, dense) learns a synthetic task; a saved copy gives identical outputs', () => {
  gluon.resetNameCounters();
  mx.random.seed(21);
  // label: is the bright 3x3 patch in the left or the right half of a noisy 12x12 image?
  const n = 128;
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  const noise = nd.random.normal({ shape: [n, 1, 12, 12], scale: 0.3 });
  const patches = new Float32Array(n * 144);
  labels.forEach((l, i) => {
    const col = l === 0 ? 1 + (i % 3) : 7 + (i % 2);
    const row = 1 + (i % 8);
    for (let r = row; r < row + 3; r++) for (let c = col; c < col + 3; c++) patches[i * 144 + r * 12 + c] = 2;
  });
  const x = noise.add(nd.array(patches).reshape([n, 1, 12, 12]));
  const y = nd.array(labels);
  const build = () => {
    const net = new nn.Sequential();
    net.add(new nn.Conv2D(4, 3, { padding: 1 }), new nn.BatchNorm(), new nn.Activation('relu'), new nn.MaxPool2D(2, 2), new nn.Flatten(), new nn.Dense(2));
    return net;
  };
  const net = build();
  net.initialize(new init.Xavier());
  trainFullBatch(net, x, y, new gluon.Trainer(net.collectParams(), 'adam', { learningRate: 0.02 }), 40);
  const out = net.forward(x) as NDArray; // inference mode: the running statistics
  const accuracy = out.argmax(1).equal(y).mean().asScalar();
  expect(accuracy).toBeGreaterThan(0.95);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ndgrad-cnn-')), 'cnn.params');
  net.saveParameters(file);
  const fresh = build();
  fresh.loadParameters(file);
  expect((fresh.forward(x) as NDArray).toArray()).toEqual(out.toArray());
});
