// gluon.nn layers built on the NN operators: pooling, normalization, embedding and the
// leaky-ReLU family. Each is checked against its formula or op, its parameters (names, shapes,
// gradReq, deferred shapes) and, where it learns, its gradient.
import mx, { autograd, gluon, init, nd, type NDArray } from '../lib';
import { assertAlmostEqual } from '../lib/testing';
import { trainFullBatch } from './helpers/train';

const { nn } = gluon;

function x4(seed: number, shape = [2, 3, 4, 4]): NDArray {
  mx.random.seed(seed);
  return nd.random.normal({ shape });
}

describe('pooling layers', () => {
  test('MaxPool2D(2, 2) and AvgPool2D are nd.pooling with MXNet defaults; global pools keep (N, C, 1, 1)', () => {
    const x = x4(1);
    assertAlmostEqual(new nn.MaxPool2D(2, 2).forward(x), nd.pooling(x, { kernel: [2, 2], stride: [2, 2], poolType: 'max' }));
    // strides default to poolSize; avg counts padding (countIncludePad) as MXNet
    assertAlmostEqual(
      new nn.AvgPool2D({ poolSize: 3, padding: 1 }).forward(x),
      nd.pooling(x, { kernel: [3, 3], stride: [3, 3], pad: [1, 1], poolType: 'avg', countIncludePad: true }),
    );
    expect(new nn.MaxPool2D(3, 2, 0, true).forward(x).shape).toEqual([2, 3, 2, 2]); // ceil mode
    expect(new nn.MaxPool2D(3, 2).forward(x).shape).toEqual([2, 3, 1, 1]);
    assertAlmostEqual(new nn.GlobalAvgPool2D().forward(x), x.mean({ axis: [2, 3], keepdims: true }), { rtol: 1e-5 });
    assertAlmostEqual(new nn.GlobalMaxPool2D().forward(x), x.max({ axis: [2, 3], keepdims: true }));
    expect(new nn.MaxPool1D(2).forward(nd.ones([1, 2, 6])).shape).toEqual([1, 2, 3]);
    expect(new nn.AvgPool3D(2).forward(nd.ones([1, 1, 4, 4, 4])).shape).toEqual([1, 1, 2, 2, 2]);
    expect(new nn.GlobalAvgPool1D().forward(nd.ones([2, 5, 7])).shape).toEqual([2, 5, 1]);
  });

  test('prefixes are pool<N>_ (MXNet _alias); bad options are errors naming the layer', () => {
    gluon.resetNameCounters();
    expect(new nn.MaxPool2D().prefix).toBe('pool0_');
    expect(new nn.GlobalAvgPool2D().prefix).toBe('pool1_');
    expect(() => new nn.MaxPool2D(2, 2, 0, false, { layout: 'NHWC' })).toThrow(/MaxPool2D: layout must be 'NCHW'/);
    expect(() => new nn.MaxPool2D([2, 2, 2])).toThrow(/MaxPool2D: poolSize must be a non-negative integer or a list of 2/);
    expect(() => new nn.MaxPool2D({ poolsize: 2 } as never)).toThrow(/unknown option 'poolsize'/);
  });
});

describe('normalization layers', () => {
  test('BatchNorm: batch statistics while training, running statistics updated in place, running ones otherwise', () => {
    gluon.resetNameCounters();
    const bn = new nn.BatchNorm();
    bn.initialize();
    expect(bn.collectParams().keys()).toEqual(['batchnorm0_gamma', 'batchnorm0_beta', 'batchnorm0_running_mean', 'batchnorm0_running_var']);
    const x = x4(2).mul(3).add(1);
    const y = autograd.record(() => bn.forward(x));
    // per channel: mean 0, biased variance 1 (eps 1e-5)
    assertAlmostEqual(y.mean({ axis: [0, 2, 3] }), nd.zeros([3]), { atol: 1e-5 });
    assertAlmostEqual(y.square().mean({ axis: [0, 2, 3] }), nd.ones([3]), { rtol: 1e-3 });
    const mean = x.mean({ axis: [0, 2, 3] });
    const variance = x.sub(mean.reshape([1, 3, 1, 1])).square().mean({ axis: [0, 2, 3] });
    assertAlmostEqual(bn.runningMean.data(), mean.mul(0.1), { rtol: 1e-5, atol: 1e-6 });
    assertAlmostEqual(bn.runningVar.data(), variance.mul(0.1).add(0.9), { rtol: 1e-5 });
    // inference: (x - running_mean) / sqrt(running_var + eps)
    const inference = bn.forward(x);
    const expected = x.sub(bn.runningMean.data().reshape([1, 3, 1, 1])).div(bn.runningVar.data().add(1e-5).sqrt().reshape([1, 3, 1, 1]));
    assertAlmostEqual(inference, expected, { rtol: 1e-4, atol: 1e-5 });
    expect(bn.runningMean.gradReq).toBe('null');
    expect(bn.gamma.gradReq).toBe('write');
    expect(bn.gamma.shape).toEqual([3]); // deferred, filled by the first forward
  });

  test('BatchNorm trains gamma and beta; scale false freezes gamma (fixGamma)', () => {
    const bn = new nn.BatchNorm({ scale: false, in_channels: 3 } as never);
    bn.initialize();
    expect(bn.gamma.gradReq).toBe('null');
    const x = x4(3);
    autograd.record(() => bn.forward(x).mul(nd.arange(96).reshape([2, 3, 4, 4]))).backward();
    // d/dbeta of sum(y * w) is the per-channel sum of w
    assertAlmostEqual(bn.beta.grad(), nd.arange(96).reshape([2, 3, 4, 4]).sum({ axis: [0, 2, 3] }));
  });

  test('LayerNorm, InstanceNorm and GroupNorm are their nd ops with gamma 1 and beta 0 at start', () => {
    const x = x4(4);
    const ones = (n: number) => nd.ones([n]);
    const zeros = (n: number) => nd.zeros([n]);
    const ln = new nn.LayerNorm();
    ln.initialize();
    assertAlmostEqual(ln.forward(x), nd.layerNorm(x, ones(4), zeros(4)) as NDArray);
    const inorm = new nn.InstanceNorm();
    inorm.initialize();
    assertAlmostEqual(inorm.forward(x), nd.instanceNorm(x, ones(3), zeros(3), { eps: 1e-5 }));
    expect(inorm.gamma.gradReq).toBe('null'); // scale defaults to false (MXNet)
    const inorm2 = new nn.InstanceNorm({ axis: 2 });
    inorm2.initialize();
    assertAlmostEqual(inorm2.forward(x), nd.instanceNorm(x.swapaxes(1, 2), ones(4), zeros(4), { eps: 1e-5 }).swapaxes(1, 2));
    const gn = new nn.GroupNorm({ numGroups: 3 });
    gn.initialize();
    assertAlmostEqual(gn.forward(x), nd.groupNorm(x, ones(3), zeros(3), { numGroups: 3 }) as NDArray);
    expect(() => new nn.GroupNorm({ numGroups: 0 })).toThrow(/GroupNorm: numGroups must be a positive integer, got 0/);
    expect(() => new nn.LayerNorm({ axis: 7 }).forward(x)).toThrow(/LayerNorm: axis 7 is out of range/);
  });
});

describe('Embedding', () => {
  test('picks rows of its weight and scatters the gradient back', () => {
    gluon.resetNameCounters();
    const emb = new nn.Embedding(5, 3);
    emb.initialize(new init.Uniform(1));
    expect(emb.collectParams().keys()).toEqual(['embedding0_weight']);
    const idx = nd.array([[0, 4], [4, 1]]);
    const out = autograd.record(() => emb.forward(idx));
    expect(out.shape).toEqual([2, 2, 3]);
    assertAlmostEqual(out, emb.weight.data().take(idx));
    out.backward();
    assertAlmostEqual(emb.weight.grad(), nd.array([[1, 1, 1], [1, 1, 1], [0, 0, 0], [0, 0, 0], [2, 2, 2]]));
    expect(() => new nn.Embedding(0, 3)).toThrow(/Embedding: inputDim must be a positive integer, got 0/);
  });
});

describe('leaky-ReLU family', () => {
  test('LeakyReLU, ELU, SELU, GELU are nd.leakyRelu; PReLU learns its slope', () => {
    const x = nd.array([-2, -0.5, 0, 0.5, 2]);
    assertAlmostEqual(new nn.LeakyReLU(0.1).forward(x), nd.leakyRelu(x, { actType: 'leaky', slope: 0.1 }));
    assertAlmostEqual(new nn.ELU(0.5).forward(x), nd.leakyRelu(x, { actType: 'elu', slope: 0.5 }));
    assertAlmostEqual(new nn.SELU().forward(x), nd.leakyRelu(x, { actType: 'selu' }));
    assertAlmostEqual(new nn.GELU().forward(x), nd.leakyRelu(x, { actType: 'gelu' }));
    expect(() => new nn.LeakyReLU(-1)).toThrow(/LeakyReLU: Slope coefficient for LeakyReLU must be no less than 0/);
    gluon.resetNameCounters();
    const prelu = new nn.PReLU();
    prelu.initialize();
    expect(prelu.collectParams().keys()).toEqual(['prelu0_alpha']);
    assertAlmostEqual(prelu.alpha.data(), nd.array([0.25]));
    const y = autograd.record(() => prelu.forward(x.reshape([1, 5])));
    assertAlmostEqual(y, nd.array([[-0.5, -0.125, 0, 0.5, 2]]));
    y.backward();
    assertAlmostEqual(prelu.alpha.grad(), nd.array([-2.5])); // sum of the negative inputs
  });
});

test('an MLP with BatchNorm trains with gluon.Trainer (loss falls)', () => {
  mx.random.seed(11);
  const x = nd.random.normal({ shape: [64, 8] });
  const y = x.sum({ axis: 1 }).greater(0);
  const net = new nn.Sequential();
  net.add(new nn.Dense(16), new nn.BatchNorm(), new nn.LeakyReLU(0.1), new nn.Dense(2));
  net.initialize(new init.Xavier());
  const losses = trainFullBatch(net, x, y, new gluon.Trainer(net.collectParams(), 'adam', { learningRate: 0.05 }), 30);
  expect(losses[29]).toBeLessThan(0.5 * losses[0]);
});
