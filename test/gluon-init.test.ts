// mx.init: distributions (bounds, mean, variance), MXNet's formulas for Xavier and MSRAPrelu,
// orthogonality, the name-suffix rule, precedence of a parameter's own initializer, seeding.
import mx, { gluon, init, nd, type NDArray } from '../lib';
import { assertAlmostEqual } from '../lib/testing';

function draw(initializer: init.Initializer, shape: number[], name = 'x_weight'): NDArray {
  const arr = nd.zeros(shape);
  initializer.initByName(name, arr);
  return arr;
}

function stats(x: NDArray): { min: number; max: number; mean: number; variance: number } {
  const v = x.astype('float64');
  const mean = v.mean().asScalar();
  return { min: v.min().asScalar(), max: v.max().asScalar(), mean, variance: v.sub(mean).square().mean().asScalar() };
}

beforeEach(() => mx.random.seed(1234));

describe('distributions', () => {
  test('Uniform(scale): inside [-scale, scale], mean 0, variance scale^2 / 3', () => {
    const s = stats(draw(new init.Uniform(0.2), [300, 400]));
    expect(s.min).toBeGreaterThanOrEqual(-0.2);
    expect(s.max).toBeLessThanOrEqual(0.2);
    expect(s.max).toBeGreaterThan(0.199);
    expect(Math.abs(s.mean)).toBeLessThan(0.002);
    expect(s.variance / (0.04 / 3)).toBeCloseTo(1, 1);
    expect(stats(draw(new init.Uniform(), [200, 200])).max).toBeLessThanOrEqual(0.07);
  });

  test('Normal(sigma): mean 0, standard deviation sigma', () => {
    const s = stats(draw(new init.Normal(0.5), [300, 400]));
    expect(Math.abs(s.mean)).toBeLessThan(0.005);
    expect(Math.sqrt(s.variance) / 0.5).toBeCloseTo(1, 1);
  });

  test('Xavier: c = sqrt(magnitude / factor), fans counting the kernel area', () => {
    const c = Math.sqrt(3 / ((400 + 100) / 2));
    const s = stats(draw(new init.Xavier(), [100, 400]));
    expect(s.min).toBeGreaterThanOrEqual(-c);
    expect(s.max).toBeLessThanOrEqual(c);
    expect(s.variance / ((c * c) / 3)).toBeCloseTo(1, 1);

    // conv weight (out 64, in 32, 3x3): fanIn = 32 * 9, fanOut = 64 * 9
    const x = new init.Xavier({ rndType: 'gaussian', factorType: 'in', magnitude: 2 });
    expect(x.scaleFor('w', [64, 32, 3, 3])).toBeCloseTo(Math.sqrt(2 / (32 * 9)), 15);
    expect(new init.Xavier({ factor_type: 'out' } as never).scaleFor('w', [64, 32, 3, 3])).toBeCloseTo(Math.sqrt(3 / (64 * 9)), 15);
    const g = stats(draw(x, [64, 32, 3, 3]));
    expect(Math.sqrt(g.variance) / Math.sqrt(2 / 288)).toBeCloseTo(1, 1);
    expect(() => draw(new init.Xavier(), [5], 'x_scale')).toThrow('Xavier initializer cannot be applied to vector x_scale. It requires at least 2D.');
    expect(() => new init.Xavier({ rndType: 'normal' as never })).toThrow("Xavier: rndType must be 'uniform' or 'gaussian', got 'normal'");
  });

  test('MSRAPrelu: gaussian with magnitude 2 / (1 + slope^2)', () => {
    const m = new init.MSRAPrelu({ slope: 0.25 });
    expect([m.rndType, m.factorType, m.magnitude]).toEqual(['gaussian', 'avg', 2 / 1.0625]);
    const s = stats(draw(m, [200, 300]));
    expect(Math.sqrt(s.variance) / Math.sqrt(2 / 1.0625 / 250)).toBeCloseTo(1, 1);
  });

  test('Orthogonal: scale times orthonormal rows or columns, any shape', () => {
    const tall = draw(new init.Orthogonal(), [12, 5]);
    assertAlmostEqual(nd.dot(tall, tall, { transposeA: true }), nd.eye(5).mul(1.414 * 1.414), { atol: 1e-5 });
    const wide = draw(new init.Orthogonal({ scale: 1, randType: 'normal' }), [3, 2, 4]);
    const rows = wide.reshape([3, 8]);
    assertAlmostEqual(nd.dot(rows, rows, { transposeB: true }), nd.eye(3), { atol: 1e-5 });
    const square = draw(new init.Orthogonal({ scale: 2 }), [64, 64]);
    assertAlmostEqual(nd.dot(square, square, { transposeB: true }), nd.eye(64).mul(4), { atol: 1e-4 });
  });

  test('Constant, Zero, One', () => {
    expect(draw(new init.Constant(0.25), [2, 2]).toArray()).toEqual([[0.25, 0.25], [0.25, 0.25]]);
    expect(draw(new init.Constant(nd.array([1, 2])), [2, 2]).toArray()).toEqual([[1, 2], [1, 2]]);
    expect(draw(new init.Zero(), [3]).toArray()).toEqual([0, 0, 0]);
    expect(draw(new init.One(), [3]).toArray()).toEqual([1, 1, 1]);
  });

  test('mx.random.seed makes initialization reproducible', () => {
    mx.random.seed(7);
    const a = draw(new init.Xavier(), [4, 5]).toArray();
    mx.random.seed(7);
    expect(draw(new init.Xavier(), [4, 5]).toArray()).toEqual(a);
    mx.random.seed(8);
    expect(draw(new init.Xavier(), [4, 5]).toArray()).not.toEqual(a);
  });
});

describe("MXNet's rules", () => {
  test('name suffixes: bias/beta/running_mean -> 0, gamma/running_var -> 1, weight -> the initializer', () => {
    const params = new gluon.ParameterDict('bn0_');
    const names = ['weight', 'bias', 'gamma', 'beta', 'running_mean', 'running_var', 'moving_mean', 'moving_var', 'min', 'max', 'scale'];
    for (const n of names) params.get(n, { shape: [2, 2] });
    params.initialize(new init.Constant(7));
    expect(params.values().map((p) => p.data().toArray())).toEqual(
      [7, 0, 1, 0, 0, 1, 0, 1, 0, 1, 7].map((v) => [[v, v], [v, v]]),
    );
  });

  test("a parameter's own initializer wins over the global one, and is used whatever the name", () => {
    const d = new gluon.nn.Dense(2, { inUnits: 2, weightInitializer: 'ones', biasInitializer: new init.Constant(3) });
    d.initialize(new init.Constant(9));
    expect(d.weight.data().toArray()).toEqual([[1, 1], [1, 1]]);
    expect(d.bias!.data().toArray()).toEqual([3, 3]);
    const plain = new gluon.nn.Dense(2, { inUnits: 2 });
    plain.initialize(new init.Constant(9));
    expect(plain.weight.data().toArray()).toEqual([[9, 9], [9, 9]]);
    expect(plain.bias!.data().toArray()).toEqual([0, 0]); // Dense's bias_initializer='zeros'
    const p = new gluon.Parameter('x_bias', { shape: [2] });
    p.initialize(new init.Constant(5)); // an initializer given to the parameter is its weight rule
    expect(p.data().toArray()).toEqual([5, 5]);
  });

  test('create: the names MXNet registers', () => {
    expect(init.create('xavier')).toBeInstanceOf(init.Xavier);
    expect(init.create('Zeros')).toBeInstanceOf(init.Zero);
    expect(init.create('one')).toBeInstanceOf(init.One);
    const x = new init.Normal();
    expect(init.create(x)).toBe(x);
    expect(() => init.create('glorot')).toThrow("init.create: unknown initializer 'glorot'; known: ");
    expect(new init.Xavier().dumps()).toBe('["xavier",{"rndType":"uniform","factorType":"avg","magnitude":3}]');
  });
});
