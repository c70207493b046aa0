// gluon blocks and parameters: MXNet 1.x names and prefixes, deferred initialization,
// collectParams, ParameterDict, and the basic layers.
import { autograd, gluon, init, nd, type NDArray } from '../lib';
import { assertAlmostEqual, checkNumericGradient } from '../lib/testing';

const { nn } = gluon;

beforeEach(() => gluon.resetNameCounters());

function lenetMlp(): InstanceType<typeof nn.Sequential> {
  const net = new nn.Sequential();
  net.add(new nn.Flatten(), new nn.Dense(120, { activation: 'relu' }), new nn.Dense(84, { activation: 'relu' }), new nn.Dense(10));
  return net;
}

describe('names and prefixes (MXNet 1.x)', () => {
  test('top-level layers count per type: dense0_weight ... dense2_bias', () => {
    const net = lenetMlp();
    expect(net.prefix).toBe('sequential0_');
    expect(net.name).toBe('sequential0');
    expect(net.collectParams().keys()).toEqual([
      'dense0_weight', 'dense0_bias', 'dense1_weight', 'dense1_bias', 'dense2_weight', 'dense2_bias',
    ]);
    expect([...net.collectParamsWithPrefix().keys()]).toEqual(['1.weight', '1.bias', '2.weight', '2.bias', '3.weight', '3.bias']);
    // A second model continues the counters, as in one MXNet process.
    expect(lenetMlp().collectParams().keys()[0]).toBe('dense3_weight');
  });

  test('nameScope puts children under the parent prefix with their own counters', () => {
    const net = new nn.Sequential();
    net.nameScope(() => net.add(new nn.Dense(4), new nn.Dense(2), new nn.Dropout(0.1)));
    expect(net.collectParams().keys()).toEqual(['sequential0_dense0_weight', 'sequential0_dense0_bias', 'sequential0_dense1_weight', 'sequential0_dense1_bias']);
    expect(net.at(2).prefix).toBe('sequential0_dropout0_');
    // outside the scope the top-level counter is untouched
    expect(new nn.Dense(1).prefix).toBe('dense0_');
  });

  test("Dense's activation is a child named after it: dense0_relu_", () => {
    const d = new nn.Dense(3, { activation: 'tanh' });
    expect(d.act!.prefix).toBe('dense0_tanh_');
    expect(new nn.Activation('relu').prefix).toBe('relu0_');
    expect(new nn.Activation('relu').prefix).toBe('relu1_');
  });

  test('a custom Block registers fields: prefixes, full names and structural names', () => {
    class Net extends gluon.Block {
      features: InstanceType<typeof nn.Sequential>;
      out: InstanceType<typeof nn.Dense>;
      scale: gluon.Parameter;
      constructor() {
        super();
        this.features = this.nameScope(() => new nn.Sequential());
        this.features.nameScope(() => this.features.add(new nn.Dense(5, { inUnits: 3 }), new nn.Activation('relu'), new nn.Dense(4)));
        this.out = this.nameScope(() => new nn.Dense(2));
        this.scale = this.params.get('scale', { shape: [1], init: 'ones' });
      }
      forward(x: NDArray): NDArray {
        return this.out.forward(this.features.forward(x)).mul(this.scale.data());
      }
    }
    const net = new Net();
    expect(net.prefix).toBe('net0_');
    expect(net.collectParams().keys()).toEqual([
      'net0_scale',
      'net0_sequential0_dense0_weight', 'net0_sequential0_dense0_bias',
      'net0_sequential0_dense1_weight', 'net0_sequential0_dense1_bias',
      'net0_dense0_weight', 'net0_dense0_bias',
    ]);
    expect([...net.collectParamsWithPrefix().keys()]).toEqual([
      'scale', 'features.0.weight', 'features.0.bias', 'features.2.weight', 'features.2.bias', 'out.weight', 'out.bias',
    ]); // MXNet: the block's own parameters first, then the children's
    expect([...net.children.keys()]).toEqual(['features', 'out']);
    net.initialize();
    expect(net.forward(nd.ones([2, 3])).shape).toEqual([2, 2]);
    expect(net.scale.data().toArray()).toEqual([1]);
  });

  test('the prefix option and shared params (MXNet params=other.collect_params())', () => {
    const a = new nn.Dense(3, { inUnits: 2, prefix: 'enc_' });
    expect(a.collectParams().keys()).toEqual(['enc_weight', 'enc_bias']);
    const b = new nn.Dense(3, { inUnits: 2, params: a.collectParams() });
    expect(b.weight).toBe(a.weight);
    a.initialize();
    const x = nd.ones([1, 2]);
    expect(b.forward(x).toArray()).toEqual(a.forward(x).toArray());
  });
});

describe('deferred initialization', () => {
  test("data() before the first forward throws MXNet's error naming the parameter", () => {
    const net = lenetMlp();
    net.initialize();
    const w = net.collectParams().at('dense0_weight')!;
    expect(w.shape).toEqual([120, 0]);
    expect(() => w.data()).toThrow(gluon.DeferredInitializationError);
    expect(() => w.data()).toThrow(
      "Parameter 'dense0_weight' has not been initialized yet because initialization was deferred. Actual initialization happens during the first forward pass.",
    );
    net.forward(nd.ones([2, 1, 4, 5]));
    expect(w.shape).toEqual([120, 20]);
    expect(w.data().shape).toEqual([120, 20]);
    expect(net.collectParams().at('dense1_weight')!.shape).toEqual([84, 120]);
  });

  test('parameters created by a first forward inside nd.tidy outlive the scope', () => {
    const d = new nn.Dense(3);
    d.initialize();
    const x = nd.ones([2, 4]);
    nd.tidy(() => autograd.record(() => d.forward(x).sum()).backward());
    expect(d.weight.data().shape).toEqual([3, 4]);
    expect(d.bias!.grad().toArray()).toEqual([2, 2, 2]);
    const e = new nn.Dense(3, { inUnits: 4 });
    nd.tidy(() => e.initialize());
    expect(e.weight.data().isDisposed).toBe(false);
  });

  test('before initialize(): the not-initialized error; known shapes initialize at once', () => {
    const d = new nn.Dense(3, { inUnits: 4 });
    expect(() => d.weight.data()).toThrow("Parameter 'dense0_weight' has not been initialized. Note that you should initialize parameters");
    d.initialize();
    expect(d.weight.data().shape).toEqual([3, 4]);
    expect(d.bias!.data().toArray()).toEqual([0, 0, 0]);
  });

  test('a parameter without allowDeferredInit refuses an unknown shape', () => {
    const p = new gluon.Parameter('w', { shape: [0, 3] });
    expect(() => p.initialize()).toThrow("Cannot initialize Parameter 'w' because it has invalid shape: (0, 3).");
  });

  test('the input fixes unknown dimensions only; known ones must match', () => {
    const d = new nn.Dense(2, { inUnits: 3 });
    d.initialize();
    expect(() => d.forward(nd.ones([1, 4]))).toThrow();
    const p = new gluon.Parameter('w', { shape: [2, 0] });
    expect(() => {
      p.shape = [3, 5];
    }).toThrow('Expected shape (3, 5) is incompatible with given shape (2, 0).');
  });
});

describe('collectParams and ParameterDict', () => {
  test('select is a regular expression matched at the start of the name', () => {
    const net = lenetMlp();
    expect(net.collectParams('.*weight').keys()).toEqual(['dense0_weight', 'dense1_weight', 'dense2_weight']);
    expect(net.collectParams('dense1_|dense2_bias').keys()).toEqual(['dense1_weight', 'dense1_bias', 'dense2_bias']);
    expect(net.collectParams('weight').keys()).toEqual([]); // re.match, not re.search
  });

  test("setattr('lrMult' / 'grad_req'), zeroGrad, initialize forceReinit", () => {
    const net = new nn.Dense(2, { inUnits: 3 });
    net.initialize();
    const params = net.collectParams();
    params.setattr('lrMult', 0.5);
    params.setattr('wd_mult', 0);
    expect(params.values().map((p) => [p.lrMult, p.wdMult])).toEqual([[0.5, 0], [0.5, 0]]);
    const x = nd.ones([4, 3]);
    autograd.record(() => net.forward(x).sum()).backward();
    expect(net.bias!.grad().toArray()).toEqual([4, 4]);
    params.zeroGrad();
    expect(net.bias!.grad().toArray()).toEqual([0, 0]);
    params.setattr('grad_req', 'null');
    expect(() => net.weight.grad()).toThrow("Cannot get gradient array for Parameter 'dense0_weight' because grad_req='null'");
    expect(() => params.setattr('lrMul', 1)).toThrow(/did you mean 'lrMult'/);

    const before = net.weight.data().toArray();
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    params.initialize(new init.Uniform(1));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("Parameter 'dense0_weight' is already initialized"));
    warn.mockRestore();
    expect(net.weight.data().toArray()).toEqual(before);
    const held = net.weight.data();
    params.initialize(new init.Uniform(1), { forceReinit: true });
    expect(net.weight.data().toArray()).not.toEqual(before);
    expect(held.toArray()).toEqual(before); // an array the caller still holds stays usable
  });

  test('ParameterDict.get returns the existing parameter and checks attributes', () => {
    const d = new gluon.ParameterDict('m_');
    const w = d.get('w', { shape: [0, 3] });
    expect(d.get('w', { shape: [2, 0] })).toBe(w);
    expect(w.shape).toEqual([2, 3]);
    expect(() => d.get('w', { dtype: 'float64' })).toThrow("Cannot retrieve Parameter 'm_w' because desired attribute does not match with stored for attribute 'dtype'");
    expect(d.keys()).toEqual(['m_w']);
  });

  test('setData before and after initialization; cast', () => {
    const d = new nn.Dense(2, { inUnits: 2, useBias: false });
    d.initialize();
    d.weight.setData(nd.array([[1, 2], [3, 4]]));
    expect(d.forward(nd.array([[1, 1]])).toArray()).toEqual([[3, 7]]);
    d.cast('float64');
    expect(d.weight.data().dtype).toBe('float64');
    expect(d.forward(nd.array([[1, 1]], { dtype: 'float64' })).toArray()).toEqual([[3, 7]]);
  });
});

describe('layers', () => {
  test('Dense: flatten=false contracts the last axis; gradient in float64', () => {
    const d = new nn.Dense(4, { flatten: false, dtype: 'float64' });
    d.initialize(new init.Normal(0.5));
    const x = nd.random.uniform({ shape: [2, 3, 5], dtype: 'float64' });
    expect(d.forward(x).shape).toEqual([2, 3, 4]);
    expect(d.weight.shape).toEqual([4, 5]);
    d.bias!.setData(nd.random.uniform({ shape: [4], dtype: 'float64' }));
    checkNumericGradient((xx) => d.forward(xx), [x]);
    // The parameters' gradients are those of the op on the same arrays.
    const head = nd.random.uniform({ shape: [2, 3, 4], dtype: 'float64' });
    autograd.record(() => d.forward(x).mul(head).sum()).backward();
    const [w, b] = [d.weight.data().copy(), d.bias!.data().copy()];
    w.attachGrad();
    b.attachGrad();
    autograd.record(() => nd.fullyConnected(x, w, b, { flatten: false }).mul(head).sum()).backward();
    assertAlmostEqual(d.weight.grad(), w.grad!, { rtol: 1e-12 });
    assertAlmostEqual(d.bias!.grad(), b.grad!, { rtol: 1e-12 });
  });

  test('Dense with an activation equals the op and the activation', () => {
    const d = new nn.Dense(3, { activation: 'sigmoid', inUnits: 2, weightInitializer: new init.Constant(0.5), biasInitializer: new init.Constant(-1) });
    d.initialize();
    const x = nd.array([[1, 2], [-1, 0.5]]);
    assertAlmostEqual(d.forward(x), nd.fullyConnected(x, nd.full([3, 2], 0.5), nd.full([3], -1)).sigmoid());
    expect(d.toString()).toBe('Dense(2 -> 3, Activation(sigmoid))');
  });

  test('Activation: relu, sigmoid, tanh, softsign, softrelu; unknown names are errors', () => {
    const x = nd.array([-30, -2, 0, 0.5, 40], { dtype: 'float64' });
    const v = [-30, -2, 0, 0.5, 40];
    const expected: Record<string, (t: number) => number> = {
      relu: (t) => Math.max(t, 0),
      sigmoid: (t) => 1 / (1 + Math.exp(-t)),
      tanh: Math.tanh,
      softsign: (t) => t / (1 + Math.abs(t)),
      softrelu: (t) => Math.log1p(Math.exp(t)),
    };
    for (const [name, f] of Object.entries(expected)) {
      assertAlmostEqual(new nn.Activation(name as gluon.nn.ActivationName).forward(x), v.map(f), { rtol: 1e-12 });
    }
    checkNumericGradient((t) => new nn.Activation('softrelu').forward(t), [x]);
    expect(() => new nn.Activation('gelu' as gluon.nn.ActivationName)).toThrow("Activation: unknown activation 'gelu'");
    assertAlmostEqual(new nn.Swish(2).forward(x), v.map((t) => t / (1 + Math.exp(-2 * t))), { rtol: 1e-12 });
  });

  test('Dropout: identity in predict mode, scaled mask in train mode, one mask along axes', () => {
    const x = nd.ones([50, 40]);
    const drop = new nn.Dropout(0.5);
    expect(drop.forward(x).toArray()).toEqual(x.toArray());
    const y = autograd.record(() => drop.forward(x));
    const vals = new Set(Array.from(y.toTypedArray()));
    expect([...vals].sort()).toEqual([0, 2]);
    const shared = autograd.trainMode(() => new nn.Dropout(0.5, { axes: [1] }).forward(x));
    const rows = shared.toArray() as number[][];
    for (const row of rows) expect(new Set(row).size).toBe(1);
    expect(new Set(rows.map((r) => r[0])).size).toBe(2);
    expect(new nn.Dropout(0).forward(x).toArray()).toEqual(x.toArray());
    expect(() => new nn.Dropout(1)).toThrow('Dropout: rate must be in [0, 1), got 1');
  });

  test('Flatten, Lambda and HybridLambda', () => {
    const x = nd.arange(24).reshape([2, 3, 4]).sub(12);
    expect(new nn.Flatten().forward(x).shape).toEqual([2, 12]);
    expect(new nn.Lambda('relu').forward(x).toArray()).toEqual(x.relu().toArray());
    expect(new nn.Lambda((a: NDArray) => a.mul(2)).forward(x).toArray()).toEqual(x.mul(2).toArray());
    const h = new nn.HybridLambda((F, a) => F.tanh(a));
    expect(h.prefix).toBe('hybridlambda0_');
    assertAlmostEqual(h.forward(x), x.tanh());
    expect(() => new nn.Lambda('nope' as 'relu')).toThrow('Lambda: Function name nope is not found in ndarray.');
  });

  test('HybridSequential is a HybridBlock; hybridize() keeps outputs identical', () => {
    const net = new nn.HybridSequential();
    net.add(new nn.Dense(4, { activation: 'relu' }), new nn.Dense(2));
    expect(net).toBeInstanceOf(gluon.HybridBlock);
    expect(new nn.Sequential()).not.toBeInstanceOf(gluon.HybridBlock);
    expect(new nn.Dense(1)).toBeInstanceOf(gluon.HybridBlock);
    expect(net.prefix).toBe('hybridsequential0_');
    net.initialize();
    const x = nd.random.uniform({ shape: [3, 5] });
    const before = net.forward(x).toArray();
    net.hybridize();
    expect(net.forward(x).toArray()).toEqual(before);
  });

  test("MXNet's snake_case method names", () => {
    const d = new nn.Dense(2, { in_units: 3, use_bias: false } as never);
    expect(d.collect_params().keys()).toEqual(['dense0_weight']);
    d.collect_params().initialize(new init.One());
    d.weight.set_data(nd.full([2, 3], 2));
    expect(d.weight.list_data()[0].toArray()).toEqual([[2, 2, 2], [2, 2, 2]]);
    d.collect_params().zero_grad();
    d.weight.zero_grad();
    expect(d.name_scope(() => new nn.Dense(1)).prefix).toBe('dense0_dense0_');
  });

  test("MXNet's hybridForward(F, x, params): parameters by field name", () => {
    class Affine extends gluon.HybridBlock {
      weight: gluon.Parameter;
      bias: gluon.Parameter;
      constructor() {
        super();
        this.weight = this.params.get('weight', { shape: [3, 2], init: 'ones' });
        this.bias = this.params.get('bias', { shape: [3] });
      }
      hybridForward(F: typeof nd, x: NDArray, p: { weight: NDArray; bias: NDArray }): NDArray {
        return F.fullyConnected(x, p.weight, p.bias).relu();
      }
    }
    const net = new Affine();
    net.initialize();
    expect(net.forward(nd.array([[1, 2]])).toArray()).toEqual([[3, 3, 3]]);
    expect(() => new gluon.HybridBlock().forward(nd.ones([1]))).toThrow('HybridBlock.forward is not implemented');
  });

  test('a Block without forward says so', () => {
    expect(() => new gluon.Block().forward(nd.ones([1]))).toThrow('Block.forward is not implemented');
  });
});
