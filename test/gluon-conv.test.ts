// gluon.nn convolution layers: shapes, MXNet's weight layouts and names, deferred input
// channels, and equality with the nd.convolution / nd.deconvolution call they make.
import mx, { gluon, init, nd } from '../lib';
import { assertAlmostEqual } from '../lib/testing';
import { trainFullBatch } from './helpers/train';

const { nn } = gluon;

test('Conv2D(6, 5, relu): deferred input channels, conv<N>_ names, the nd.convolution it makes', () => {
  gluon.resetNameCounters();
  mx.random.seed(1);
  const conv = new nn.Conv2D(6, 5, { activation: 'relu' });
  conv.initialize(new init.Xavier());
  expect(conv.collectParams().keys()).toEqual(['conv0_weight', 'conv0_bias']);
  expect(conv.weight.shape).toEqual([6, 0, 5, 5]);
  const x = nd.random.normal({ shape: [2, 1, 28, 28] });
  const y = conv.forward(x);
  expect(y.shape).toEqual([2, 6, 24, 24]);
  expect(conv.weight.shape).toEqual([6, 1, 5, 5]);
  assertAlmostEqual(y, nd.convolution(x, conv.weight.data(), conv.bias!.data(), { kernel: [5, 5], numFilter: 6 }).relu());
});

test('strides, padding, dilation, groups and no bias reach the op; weight layouts follow MXNet', () => {
  mx.random.seed(2);
  const x = nd.random.normal({ shape: [1, 4, 9, 9] });
  const conv = new nn.Conv2D(8, 3, { strides: 2, padding: 1, dilation: 2, groups: 2, useBias: false, in_channels: 4 } as never);
  conv.initialize();
  expect(conv.weight.shape).toEqual([8, 2, 3, 3]);
  expect(conv.bias).toBeNull();
  assertAlmostEqual(
    conv.forward(x),
    nd.convolution(x, conv.weight.data(), { kernel: [3, 3], numFilter: 8, stride: [2, 2], pad: [1, 1], dilate: [2, 2], numGroup: 2, noBias: true }),
  );
  const c1 = new nn.Conv1D(3, 2);
  c1.initialize();
  expect(c1.forward(nd.ones([2, 5, 7])).shape).toEqual([2, 3, 6]);
  const c3 = new nn.Conv3D(2, [1, 2, 3]);
  c3.initialize();
  expect(c3.forward(nd.ones([1, 1, 4, 4, 4])).shape).toEqual([1, 2, 4, 3, 2]);
});

test('Conv2DTranspose: weight (in, channels / groups, ...kernel), outputPadding is adj', () => {
  mx.random.seed(3);
  const t = new nn.Conv2DTranspose(4, 3, { strides: 2, outputPadding: 1, inChannels: 2 });
  t.initialize();
  expect(t.weight.shape).toEqual([2, 4, 3, 3]);
  const x = nd.random.normal({ shape: [1, 2, 5, 5] });
  const y = t.forward(x);
  expect(y.shape).toEqual([1, 4, 12, 12]);
  assertAlmostEqual(y, nd.deconvolution(x, t.weight.data(), t.bias!.data(), { kernel: [3, 3], numFilter: 4, stride: [2, 2], adj: [1, 1] }));
  const t1 = new nn.Conv1DTranspose(2, 3);
  t1.initialize();
  expect(t1.forward(nd.ones([1, 3, 4])).shape).toEqual([1, 2, 6]);
});

test('bad arguments are errors naming the layer', () => {
  expect(() => new nn.Conv2D(0, 3)).toThrow(/Conv2D: channels must be a positive integer, got 0/);
  expect(() => new nn.Conv2D(4, [3, 3, 3])).toThrow(/Conv2D: kernelSize must be an integer >= 1 or a list of 2/);
  expect(() => new nn.Conv2D(4, 3, { layout: 'NHWC' })).toThrow(/Conv2D: layout must be 'NCHW'/);
  expect(() => new nn.Conv2D(4, 3, { strid: 2 } as never)).toThrow(/unknown option 'strid'/);
});

test('the crash-course LeNet trains with gluon.Trainer on a synthetic batch (loss falls)', () => {
  gluon.resetNameCounters();
  mx.random.seed(4);
  const net = new nn.Sequential();
  net.add(
    new nn.Conv2D(6, 5, { activation: 'relu' }), new nn.MaxPool2D(2, 2),
    new nn.Conv2D(16, 3, { activation: 'relu' }), new nn.MaxPool2D(2, 2),
    new nn.Flatten(), new nn.Dense(120, { activation: 'relu' }), new nn.Dense(84, { activation: 'relu' }), new nn.Dense(10),
  );
  net.initialize(new init.Xavier());
  const x = nd.random.normal({ shape: [16, 1, 28, 28] });
  const y = nd.array(Array.from({ length: 16 }, (_, i) => i % 10));
  const losses = trainFullBatch(net, x, y, new gluon.Trainer(net.collectParams(), 'sgd', { learningRate: 0.1 }), 20);
  expect(net.collectParams().keys()).toEqual([
    'conv0_weight', 'conv0_bias', 'conv1_weight', 'conv1_bias',
    'dense0_weight', 'dense0_bias', 'dense1_weight', 'dense1_bias', 'dense2_weight', 'dense2_bias',
  ]);
  expect(losses[19]).toBeLessThan(0.5 * losses[0]);
});
