// The documented surface of ../shared/API.md, section by section: every name, call form, option,
// default, alias and property it states, called the way a user reading API.md would call it.
// Values are checked where API.md states them; the deep value checks live in the golden and
// gradient-check suites.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as util from 'util';
import mx, { autograd, Context, cpu, gpu, nd, NDArray, random } from '../lib';
import '../lib/jest';
import { assertAlmostEqual, checkNumericGradient } from '../lib/testing';

const vals = (x: NDArray | null): number[] => Array.from(x!.toTypedArray());
const close = (x: NDArray | null, expected: number[], atol = 1e-6) => assertAlmostEqual(vals(x), expected, { rtol: 1e-6, atol });

afterEach(() => {
  expect(autograd.isRecording()).toBe(false);
  expect(autograd.isTraining()).toBe(false);
});

describe('API.md: Package and entry points', () => {
  test('the default export has nd, autograd, random, NDArray, cpu, gpu, Context', () => {
    expect(mx.nd).toBe(nd);
    expect(mx.autograd).toBe(autograd);
    expect(mx.random).toBe(random);
    expect(mx.NDArray).toBe(NDArray);
    expect(mx.cpu).toBe(cpu);
    expect(mx.gpu).toBe(gpu);
    expect(mx.Context).toBe(Context);
  });

  test('mx.random.seed(n) and nd.random.seed(n) make random ops reproducible', () => {
    const draw = () => [
      ...vals(nd.random.uniform({ shape: [3] })),
      ...vals(nd.random.normal({ shape: 3 })),
      ...vals(nd.random.randint({ low: 0, high: 100, shape: [3] })),
      ...vals(nd.random.shuffle(nd.arange(10))),
      ...vals(nd.dropout(nd.ones(8), { p: 0.5 })),
    ];
    mx.random.seed(42);
    const a = autograd.trainMode(draw);
    nd.random.seed(42);
    const b = autograd.trainMode(draw);
    expect(b).toEqual(a);
    mx.random.seed(43);
    expect(autograd.trainMode(draw)).not.toEqual(a);
  });

  test('mx.cpu(id = 0) prints cpu(0); mx.gpu() throws saying there is no GPU backend', () => {
    expect(mx.cpu().toString()).toBe('cpu(0)');
    expect(String(mx.cpu(0))).toBe('cpu(0)');
    expect(mx.cpu(1).toString()).toBe('cpu(1)');
    expect(mx.cpu()).toBeInstanceOf(Context);
    expect(() => mx.gpu()).toThrow(/no GPU backend/);
    expect(() => mx.gpu(0)).toThrow(/no GPU backend/);
  });

  test('creation functions accept { ctx }', () => {
    const ctx = mx.cpu();
    const made = [
      nd.array([1, 2], { ctx }),
      nd.zeros([2], { ctx }),
      nd.ones(2, { ctx }),
      nd.full(2, 7, { ctx }),
      nd.empty(2, { ctx }),
      nd.arange(0, 2, 1, { ctx }),
      nd.linspace(0, 1, 2, { ctx }),
      nd.eye(2, 2, 0, { ctx }),
      nd.random.uniform({ shape: 2, ctx }),
      nd.random.normal({ shape: 2, ctx }),
      nd.random.randint({ low: 0, high: 3, shape: 2, ctx }),
    ];
    for (const x of made) expect(x.context.toString()).toBe('cpu(0)');
  });
});

describe('API.md: Naming (MXNet spellings are aliases)', () => {
  test('nd aliases are the canonical functions', () => {
    const pairs: [string, string][] = [
      ['slice_axis', 'sliceAxis'],
      ['log_softmax', 'logSoftmax'],
      ['broadcast_to', 'broadcastTo'],
      ['expand_dims', 'expandDims'],
      ['one_hot', 'oneHot'],
      ['batch_dot', 'batchDot'],
      ['zeros_like', 'zerosLike'],
      ['ones_like', 'onesLike'],
      ['full_like', 'fullLike'],
      ['softmax_cross_entropy', 'softmaxCrossEntropy'],
      ['not_equal', 'notEqual'],
      ['greater_equal', 'greaterEqual'],
      ['lesser_equal', 'lesserEqual'],
      ['FullyConnected', 'fullyConnected'],
      ['Dropout', 'dropout'],
      ['Flatten', 'flatten'],
      ['SliceChannel', 'split'],
      ['Reshape', 'reshape'],
      ['Concat', 'concat'],
      ['SwapAxis', 'swapaxes'],
      ['Cast', 'astype'],
      ['copyto', 'copyTo'],
      ['asscalar', 'asScalar'],
      ['negative', 'neg'],
      ['broadcast_add', 'add'],
      ['broadcast_sub', 'subtract'],
      ['broadcast_mul', 'multiply'],
      ['broadcast_div', 'divide'],
      ['broadcast_power', 'power'],
      ['broadcast_mod', 'mod'],
      ['broadcast_maximum', 'maximum'],
      ['broadcast_minimum', 'minimum'],
      ['broadcast_equal', 'equal'],
      ['broadcast_not_equal', 'notEqual'],
      ['broadcast_greater', 'greater'],
      ['broadcast_greater_equal', 'greaterEqual'],
      ['broadcast_lesser', 'lesser'],
      ['broadcast_lesser_equal', 'lesserEqual'],
    ];
    const ns = nd as unknown as Record<string, unknown>;
    for (const [alias, name] of pairs) {
      expect([alias, typeof ns[name]]).toEqual([alias, 'function']);
      expect([alias, ns[alias] === ns[name]]).toEqual([alias, true]);
    }
  });

  test('NDArray method aliases', () => {
    const x = nd.array([[1, 2], [3, 4]]);
    x.attach_grad();
    expect(vals(x.grad)).toEqual([0, 0, 0, 0]);
    expect(nd.array([5]).asscalar()).toBe(5);
    expect(x.wait_to_read()).toBe(x);
    expect(vals(x.slice_axis(1, 1, 2))).toEqual([2, 4]);
    close(x.log_softmax(), vals(x.logSoftmax()));
    expect(x.broadcast_to([2, 2, 2]).shape).toEqual([2, 2, 2]);
    expect(x.expand_dims(0).shape).toEqual([1, 2, 2]);
    const target = nd.zeros([2, 2]);
    expect(x.copyto(target)).toBe(target);
    expect(vals(target)).toEqual([1, 2, 3, 4]);
    expect(vals(x.negative())).toEqual([-1, -2, -3, -4]);
    expect(vals(x.subtract(1))).toEqual([0, 1, 2, 3]);
    expect(vals(x.multiply(2))).toEqual([2, 4, 6, 8]);
    expect(vals(x.divide(2))).toEqual([0.5, 1, 1.5, 2]);
    expect(vals(x.power(2))).toEqual([1, 4, 9, 16]);
    expect(vals(x.not_equal(2))).toEqual([1, 0, 1, 1]);
    expect(vals(x.greater_equal(2))).toEqual([0, 1, 1, 1]);
    expect(vals(x.lesser_equal(2))).toEqual([1, 1, 0, 0]);
    expect(x.Flatten().shape).toEqual([2, 2]);
    expect(x.tolist()).toEqual([[1, 2], [3, 4]]);
    expect(x.asnumpy()).toEqual([[1, 2], [3, 4]]);
  });

  test('MXNet spellings called the MXNet way', () => {
    const a = nd.array([[1, 2], [3, 4]]);
    expect(vals(nd.broadcast_add(a, nd.array([10, 20])))).toEqual([11, 22, 13, 24]);
    expect(vals(nd.elemwise_add(a, a))).toEqual([2, 4, 6, 8]);
    expect(vals(nd.elemwise_sub(a, a))).toEqual([0, 0, 0, 0]);
    expect(vals(nd.elemwise_mul(a, a))).toEqual([1, 4, 9, 16]);
    expect(vals(nd.elemwise_div(a, a))).toEqual([1, 1, 1, 1]);
    expect(nd.Reshape(a, [4]).shape).toEqual([4]);
    expect(nd.Concat(a, a, { dim: 0 }).shape).toEqual([4, 2]);
    expect(nd.SwapAxis(a, 0, 1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(nd.Cast(a, 'int32').dtype).toBe('int32');
    expect(nd.one_hot(nd.array([1]), 2).toArray()).toEqual([[0, 1]]);
    expect(nd.zeros_like(a).shape).toEqual([2, 2]);
    expect(nd.ones_like(a).shape).toEqual([2, 2]);
    expect(nd.slice_axis(a, 0, 1, 2).toArray()).toEqual([[3, 4]]);
    expect(nd.expand_dims(a, 0).shape).toEqual([1, 2, 2]);
    expect(nd.broadcast_to(nd.array([1]), [3]).shape).toEqual([3]);
    expect(nd.log_softmax(a).shape).toEqual([2, 2]);
    expect(nd.SliceChannel(a, 2).length).toBe(2);
  });

  test('autograd aliases', () => {
    const a = autograd as unknown as Record<string, unknown>;
    const pairs: [string, string][] = [
      ['is_recording', 'isRecording'],
      ['is_training', 'isTraining'],
      ['set_recording', 'setRecording'],
      ['set_training', 'setTraining'],
      ['train_mode', 'trainMode'],
      ['predict_mode', 'predictMode'],
      ['mark_variables', 'markVariables'],
    ];
    for (const [alias, name] of pairs) expect([alias, a[alias] === a[name]]).toEqual([alias, true]);
    expect(autograd.train_mode(() => autograd.is_training())).toBe(true);
    expect(autograd.record(() => autograd.predict_mode(() => [autograd.is_recording(), autograd.is_training()]))).toEqual([true, false]);
  });
});

describe('API.md: dtypes and shapes', () => {
  test("float32 is the default everywhere, also for integer input", () => {
    const made = [
      nd.array([1, 2]),
      nd.array(new Int32Array([1, 2])),
      nd.array(3),
      nd.zeros(2),
      nd.ones(2),
      nd.full(2, 3),
      nd.empty(2),
      nd.arange(4),
      nd.linspace(0, 1, 3),
      nd.eye(2),
      nd.random.uniform(),
      nd.random.normal(),
    ];
    for (const x of made) expect(x.dtype).toBe('float32');
  });

  test("the four dtypes, and astype converts", () => {
    for (const dtype of ['float32', 'float64', 'int32', 'uint8'] as const) {
      const x = nd.array([1.7, 2, 300], { dtype: 'float64' }).astype(dtype);
      expect(x.dtype).toBe(dtype);
      expect(nd.zeros(2, { dtype }).dtype).toBe(dtype);
    }
    expect(vals(nd.array([1.7, -2.5]).astype('int32'))).toEqual([1, -2]);
  });

  test('binary ops between different dtypes throw unless one side is a JS number', () => {
    const f = nd.ones(2);
    const d = nd.ones(2, { dtype: 'float64' });
    const i = nd.ones(2, { dtype: 'int32' });
    expect(() => f.add(d)).toThrow(/different dtypes/);
    expect(() => nd.multiply(i, f)).toThrow(/different dtypes/);
    expect(() => nd.greater(f, i)).toThrow(/different dtypes/);
    expect(i.add(2.5).dtype).toBe('int32');
    expect(nd.subtract(3, d).dtype).toBe('float64');
  });

  test('no 0-d arrays: full reductions, norm(), at() to one element and scalars have shape [1]', () => {
    const x = nd.array([[1, 2], [3, 4]]);
    expect(x.sum().shape).toEqual([1]);
    expect(x.norm().shape).toEqual([1]);
    expect(x.at(1, 0).shape).toEqual([1]);
    expect(x.at(1).at(0).shape).toEqual([1]);
    expect(nd.arange(3).at(2).shape).toEqual([1]);
    expect(nd.array(5).shape).toEqual([1]);
    expect(nd.dot(nd.array([1, 2]), nd.array([3, 4])).shape).toEqual([1]);
  });

  test('row-major; reshape, at(i) and slice(begin, end) share memory with their source', () => {
    const x = nd.arange(6).reshape([2, 3]);
    expect(x.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    x.reshape([6]).set(1);
    expect(vals(x)).toEqual([1, 1, 1, 1, 1, 1]);
    x.at(1).set(7);
    expect(x.toArray()).toEqual([[1, 1, 1], [7, 7, 7]]);
    x.slice(0, 1).set(2);
    expect(x.toArray()).toEqual([[2, 2, 2], [7, 7, 7]]);
    x.at(0).addInPlace(1);
    expect(x.toArray()).toEqual([[3, 3, 3], [7, 7, 7]]);
  });
});

describe('API.md: Creating arrays', () => {
  test('nd.array from nested arrays, a TypedArray (1-D) or an NDArray (a copy), with { dtype }', () => {
    expect(nd.array([[1, 2], [3, 4]], { dtype: 'int32' }).toArray()).toEqual([[1, 2], [3, 4]]);
    const t = nd.array(new Float64Array([1, 2, 3, 4]));
    expect(t.shape).toEqual([4]);
    const src = nd.array([1, 2]);
    const copy = nd.array(src);
    src.set(9);
    expect(vals(copy)).toEqual([1, 2]);
    expect(nd.array(src, { dtype: 'float64' }).dtype).toBe('float64');
  });

  test('zeros, ones, full, empty take a shape (a number too) and options', () => {
    expect(nd.zeros([2, 3]).shape).toEqual([2, 3]);
    expect(vals(nd.ones(5))).toEqual([1, 1, 1, 1, 1]);
    expect(nd.full([2], 7, { dtype: 'int32' }).toArray()).toEqual([7, 7]);
    expect(nd.empty(3, { dtype: 'float64' }).shape).toEqual([3]);
    expect(nd.zeros(2, { dtype: 'uint8' }).dtype).toBe('uint8');
  });

  test('zerosLike, onesLike, fullLike keep shape and dtype', () => {
    const x = nd.ones([2, 1], { dtype: 'float64' });
    for (const [y, v] of [[nd.zerosLike(x), 0], [nd.onesLike(x), 1], [nd.fullLike(x, 2.5), 2.5]] as const) {
      expect([y.shape, y.dtype, vals(y)]).toEqual([[2, 1], 'float64', [v, v]]);
    }
  });

  test('arange(start, stop?, step = 1, opts?)', () => {
    const a = nd.arange(4);
    expect([a.dtype, vals(a)]).toEqual(['float32', [0, 1, 2, 3]]);
    expect(vals(nd.arange(2, 5))).toEqual([2, 3, 4]);
    expect(vals(nd.arange(1, 2, 0.25))).toEqual([1, 1.25, 1.5, 1.75]);
    const i = nd.arange(0, 6, 2, { dtype: 'int32' });
    expect([i.dtype, vals(i)]).toEqual(['int32', [0, 2, 4]]);
    expect(vals(nd.arange(3, undefined, undefined, { dtype: 'int32' }))).toEqual([0, 1, 2]);
  });

  test('arange and eye also take the options object right after the given numbers', () => {
    const a = nd.arange(3, { dtype: 'int32' });
    expect([a.dtype, vals(a)]).toEqual(['int32', [0, 1, 2]]);
    const b = nd.arange(1, 3, { dtype: 'float64' });
    expect([b.dtype, vals(b)]).toEqual(['float64', [1, 2]]);
    const e = nd.eye(2, { dtype: 'int32' });
    expect([e.dtype, e.toArray()]).toEqual(['int32', [[1, 0], [0, 1]]]);
  });

  test('linspace(start, stop, num, opts?) and eye(n, m?, k = 0, opts?)', () => {
    expect(vals(nd.linspace(0, 1, 5))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(nd.linspace(0, 1, 3, { dtype: 'float64' }).dtype).toBe('float64');
    expect(nd.eye(2).toArray()).toEqual([[1, 0], [0, 1]]);
    expect(nd.eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(nd.eye(3, 3, 1).toArray()).toEqual([[0, 1, 0], [0, 0, 1], [0, 0, 0]]);
  });

  test('eye with a negative k in every dtype (uint8 too)', () => {
    for (const dtype of ['float32', 'float64', 'int32', 'uint8'] as const) {
      const e = nd.eye(3, 3, -1, { dtype });
      expect([dtype, e.dtype, e.toArray()]).toEqual([dtype, dtype, [[0, 0, 0], [1, 0, 0], [0, 1, 0]]]);
    }
  });

  test('random.uniform: options form with defaults low 0, high 1, shape [1]; positional MXNet order', () => {
    const d = nd.random.uniform();
    expect([d.shape, d.dtype]).toEqual([[1], 'float32']);
    const u = nd.random.uniform({ low: 2, high: 3, shape: [100], dtype: 'float64' });
    expect([u.shape, u.dtype]).toEqual([[100], 'float64']);
    expect(u.min().asScalar()).toBeGreaterThanOrEqual(2);
    expect(u.max().asScalar()).toBeLessThan(3);
    expect(nd.random.uniform({ shape: 1 }).shape).toEqual([1]);
    const p = nd.random.uniform(-1, 0, [2, 50]);
    expect(p.shape).toEqual([2, 50]);
    expect(p.max().asScalar()).toBeLessThan(0);
    expect(p.min().asScalar()).toBeGreaterThanOrEqual(-1);
    expect(nd.random.uniform(0, 1, 4).shape).toEqual([4]);
  });

  test('random.normal: options form with defaults loc 0, scale 1, shape [1]; positional MXNet order', () => {
    expect(nd.random.normal().shape).toEqual([1]);
    const n = nd.random.normal({ loc: 10, scale: 0.5, shape: [4000] });
    expect(Math.abs(n.mean().asScalar() - 10)).toBeLessThan(0.1);
    const p = nd.random.normal(-5, 2, [4000]);
    expect(Math.abs(p.mean().asScalar() + 5)).toBeLessThan(0.3);
    expect(Math.abs(p.sub(p.mean()).square().mean().sqrt().asScalar() - 2)).toBeLessThan(0.2);
    expect(nd.random.normal({ shape: 2, dtype: 'float64' }).dtype).toBe('float64');
  });

  test('random.randint({ low, high, shape }) and random.shuffle(x)', () => {
    const r = nd.random.randint({ low: 3, high: 6, shape: [200] });
    expect(r.shape).toEqual([200]);
    expect(new Set(vals(r))).toEqual(new Set([3, 4, 5]));
    const s = nd.random.shuffle(nd.arange(6).reshape([3, 2]));
    expect(s.shape).toEqual([3, 2]);
    expect(s.toArray() as number[][]).toEqual(expect.arrayContaining([[0, 1], [2, 3], [4, 5]]));
  });
});

describe('API.md: NDArray properties', () => {
  test('shape, size, ndim, dtype, context, grad, T, isDisposed', () => {
    const x = nd.arange(6).reshape([2, 3]);
    expect(x.shape).toEqual([2, 3]);
    expect(x.size).toBe(6);
    expect(x.ndim).toBe(2);
    expect(x.dtype).toBe('float32');
    expect(x.context).toBeInstanceOf(Context);
    expect(x.context.toString()).toBe('cpu(0)');
    expect(x.grad).toBeNull();
    x.attachGrad();
    expect(x.grad).toBeInstanceOf(NDArray);
    expect(x.T.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(x.isDisposed).toBe(false);
    x.dispose();
    expect(x.isDisposed).toBe(true);
  });
});

describe('API.md: NDArray reading data', () => {
  test('toArray, toTypedArray (a flat copy), asScalar, dataView (zero-copy), waitToRead', () => {
    const x = nd.array([[1, 2], [3, 4]]);
    expect(x.toArray()).toEqual([[1, 2], [3, 4]]);
    const flat = x.toTypedArray();
    expect(flat.constructor.name).toBe('Float32Array');
    expect(Array.from(flat)).toEqual([1, 2, 3, 4]);
    flat[0] = 100;
    expect(x.at(0, 0).asScalar()).toBe(1);
    const view = x.dataView();
    view[0] = 5;
    expect(x.at(0, 0).asScalar()).toBe(5);
    expect(nd.array([3]).asScalar()).toBe(3);
    expect(() => x.asScalar()).toThrow(/not a scalar/);
    expect(() => x.waitToRead()).not.toThrow();
    expect(nd.ones(2, { dtype: 'int32' }).toTypedArray().constructor.name).toBe('Int32Array');
  });
});

describe('API.md: NDArray display', () => {
  test('toString and util.inspect (console.log) print what MXNet prints', () => {
    const x = nd.array([[4, 8], [12, 16]]);
    const expected = '\n[[ 4.  8.]\n [12. 16.]]\n<NDArray 2x2 @cpu(0)>';
    expect(x.toString()).toBe(expected);
    expect(util.inspect(x)).toBe(expected);
    expect(util.format('%s', x)).toBe(expected);
  });

  test('NumPy number formatting rules', () => {
    const cases: [NDArray, string][] = [
      [nd.array([1 / 3, 2 / 3]), '[0.33333334 0.6666667 ]'],
      [nd.array([1, 2.5, -3]), '[ 1.   2.5 -3. ]'],
      [nd.array([1e-5, 1]), '[1.e-05 1.e+00]'],
      [nd.array([1, 22, -3], { dtype: 'int32' }), '[ 1 22 -3]'],
      [nd.array([1 / 3], { dtype: 'float64' }), '[0.33333333]'],
      [nd.arange(1001), '[   0.    1.    2. ...  998.  999. 1000.]'],
    ];
    for (const [x, body] of cases) expect(x.toString()).toBe(`\n${body}\n<NDArray ${x.shape.join('x')} @cpu(0)>`);
  });
});

describe('API.md: every NDArray method is also nd.<name>(x, ...)', () => {
  const x = () => nd.array([[0.5, -1.5, 2], [3, 0.25, -4]]);
  const idx = () => nd.array([1, 0]);
  const methods: [string, unknown[]][] = [
    ['add', [2]], ['sub', [2]], ['mul', [2]], ['div', [2]], ['pow', [2]], ['mod', [2]], ['maximum', [0]], ['minimum', [0]],
    ['rsub', [2]], ['rdiv', [2]], ['rpow', [2]],
    ['neg', []], ['abs', []], ['sign', []], ['square', []], ['reciprocal', []], ['exp', []], ['expm1', []],
    ['sin', []], ['cos', []], ['tan', []], ['arctan', []], ['sinh', []], ['cosh', []], ['tanh', []],
    ['sigmoid', []], ['relu', []], ['softsign', []], ['floor', []], ['ceil', []], ['round', []], ['trunc', []],
    ['equal', [2]], ['notEqual', [2]], ['greater', [0]], ['greaterEqual', [0]], ['lesser', [0]], ['lesserEqual', [0]],
    ['clip', [-1, 1]],
    ['sum', [{ axis: 1 }]], ['mean', [0]], ['prod', []], ['max', [{ axis: 1, keepdims: true }]], ['min', []],
    ['norm', [{ ord: 1 }]], ['argmax', [1]], ['argmin', []],
    ['softmax', []], ['logSoftmax', [{ axis: 0 }]],
    ['reshape', [[3, 2]]], ['transpose', []], ['expandDims', [1]], ['squeeze', []], ['flatten', []],
    ['broadcastTo', [[2, 2, 3]]], ['tile', [[1, 2]]], ['repeat', [2, 0]], ['swapaxes', [0, 1]],
    ['at', [1]], ['slice', [0, 1]], ['sliceAxis', [1, 0, 2]], ['topk', [{ k: 2 }]], ['sort', []], ['argsort', [{ isAscend: false }]],
    ['split', [3]], ['copy', []], ['astype', ['float64']],
  ];
  test.each(methods)('nd.%s', (name, args) => {
    const fn = (nd as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
    expect(typeof fn).toBe('function');
    const viaNd = fn(x(), ...args) as NDArray | NDArray[];
    const viaMethod = (x() as unknown as Record<string, (...a: unknown[]) => NDArray | NDArray[]>)[name](...args);
    const show = (r: NDArray | NDArray[]) => (Array.isArray(r) ? r.map((a) => a.toArray()) : [r.shape, r.dtype, r.toArray()]);
    expect(show(viaNd)).toEqual(show(viaMethod));
  });

  test('nd forms of pick, take and the writing and memory methods', () => {
    expect(vals(nd.pick(x(), idx()))).toEqual(vals(x().pick(idx())));
    expect(nd.take(x(), idx()).toArray()).toEqual(x().take(idx()).toArray());
    const target = nd.zeros([2, 3]);
    expect(nd.set(target, 2)).toBe(target);
    expect(vals(target)).toEqual([2, 2, 2, 2, 2, 2]);
    nd.addInPlace(target, 1);
    nd.subInPlace(target, nd.array([1, 0, 1]));
    nd.mulInPlace(target, 2);
    nd.divInPlace(target, 4);
    expect(target.toArray()).toEqual([[1, 1.5, 1], [1, 1.5, 1]]);
    const other = nd.zeros([2, 3]);
    expect(nd.copyTo(x(), other)).toBe(other);
    expect(other.toArray()).toEqual(x().toArray());
    const d = nd.ones(2);
    nd.dispose(d);
    expect(d.isDisposed).toBe(true);
  });
});

describe('API.md: Arithmetic', () => {
  const a = () => nd.array([[1, 2, 3], [4, 5, 6]]);
  const b = () => nd.array([2, 4, 8]);
  const ops: [string, string, (p: number, q: number) => number][] = [
    ['add', 'add', (p, q) => p + q],
    ['sub', 'subtract', (p, q) => p - q],
    ['mul', 'multiply', (p, q) => p * q],
    ['div', 'divide', (p, q) => p / q],
    ['pow', 'power', (p, q) => p ** q],
    ['mod', 'mod', (p, q) => p - Math.floor(p / q) * q],
    ['maximum', 'maximum', Math.max],
    ['minimum', 'minimum', Math.min],
  ];
  test.each(ops)('%s and nd.%s: array-array (broadcast), array-number, number-array', (method, fn, f) => {
    const ndFn = (nd as unknown as Record<string, (p: NDArray | number, q: NDArray | number) => NDArray>)[fn];
    const A = [1, 2, 3, 4, 5, 6];
    const B = [2, 4, 8, 2, 4, 8];
    const expectAll = (got: NDArray, want: number[]) => assertAlmostEqual(vals(got), want, { rtol: 1e-6 });
    const m = (a() as unknown as Record<string, (q: NDArray | number) => NDArray>)[method];
    expectAll(m.call(a(), b()), A.map((p, i) => f(p, B[i])));
    expectAll(m.call(a(), 3), A.map((p) => f(p, 3)));
    expectAll(ndFn(a(), b()), A.map((p, i) => f(p, B[i])));
    expectAll(ndFn(a(), 3), A.map((p) => f(p, 3)));
    expectAll(ndFn(3, a()), A.map((p) => f(3, p)));
    expect(ndFn(a(), b()).shape).toEqual([2, 3]);
  });

  test('rsub, rdiv, rpow put the scalar on the left (100 * b is b.mul(100), 1 / b is b.rdiv(1))', () => {
    const x = nd.array([1, 2, 4]);
    expect(vals(x.rsub(10))).toEqual([9, 8, 6]);
    expect(vals(x.rdiv(1))).toEqual([1, 0.5, 0.25]);
    expect(vals(x.rpow(2))).toEqual([2, 4, 16]);
    expect(vals(x.mul(100))).toEqual(vals(nd.multiply(100, x)));
    expect(vals(nd.divide(1, x))).toEqual(vals(x.rdiv(1)));
  });
});

describe('API.md: Unary ops', () => {
  const unary: [string, (v: number) => number, number[]][] = [
    ['neg', (v) => -v, [-1, 2]],
    ['abs', Math.abs, [-1, 2]],
    ['sign', Math.sign, [-3, 0, 2]],
    ['sqrt', Math.sqrt, [4, 2]],
    ['rsqrt', (v) => 1 / Math.sqrt(v), [4, 2]],
    ['square', (v) => v * v, [-3, 2]],
    ['reciprocal', (v) => 1 / v, [-4, 2]],
    ['exp', Math.exp, [0, 1]],
    ['expm1', Math.expm1, [1e-3, 1]],
    ['log', Math.log, [1, 5]],
    ['log1p', Math.log1p, [1e-3, 5]],
    ['log2', Math.log2, [8, 3]],
    ['log10', Math.log10, [100, 3]],
    ['sin', Math.sin, [0.5, 2]],
    ['cos', Math.cos, [0.5, 2]],
    ['tan', Math.tan, [0.5, 1]],
    ['arcsin', Math.asin, [0.5, -0.2]],
    ['arccos', Math.acos, [0.5, -0.2]],
    ['arctan', Math.atan, [0.5, 3]],
    ['sinh', Math.sinh, [0.5, -2]],
    ['cosh', Math.cosh, [0.5, -2]],
    ['tanh', Math.tanh, [0.5, -2]],
    ['sigmoid', (v) => 1 / (1 + Math.exp(-v)), [0, 2]],
    ['relu', (v) => Math.max(v, 0), [-1, 2]],
    ['softsign', (v) => v / (1 + Math.abs(v)), [-1, 3]],
    ['floor', Math.floor, [-1.5, 2.5]],
    ['ceil', Math.ceil, [-1.5, 2.5]],
    ['round', (v) => Math.sign(v) * Math.round(Math.abs(v)), [-2.5, -0.5, 0.5, 1.5, 2.5]],
    ['trunc', Math.trunc, [-1.7, 2.7]],
  ];
  test.each(unary)('%s as a method and as an nd function', (name, f, input) => {
    const x = nd.array(input, { dtype: 'float64' });
    const want = input.map(f);
    const method = (x as unknown as Record<string, () => NDArray>)[name].call(x);
    const fn = (nd as unknown as Record<string, (v: NDArray) => NDArray>)[name](x);
    assertAlmostEqual(vals(method), want, { rtol: 1e-12, atol: 1e-15 });
    assertAlmostEqual(vals(fn), want, { rtol: 1e-12, atol: 1e-15 });
  });

  test('round rounds half away from zero; rounding ops and sign have zero gradient', () => {
    expect(vals(nd.array([-2.5, -0.5, 0.5, 1.5, 2.5]).round())).toEqual([-3, -1, 1, 2, 3]);
    const x = nd.array([0.3, 1.6, -2.2]);
    x.attachGrad();
    for (const op of ['round', 'floor', 'ceil', 'trunc', 'sign'] as const) {
      autograd.record(() => x[op]().mul(x)).backward();
      expect([op, vals(x.grad)]).toEqual([op, vals(x[op]())]);
    }
  });
});

describe('API.md: Comparisons, clip, where', () => {
  test('comparisons give the same dtype with values 0/1, with numbers on either side in nd forms', () => {
    const x = nd.array([1, 2, 3]);
    const y = nd.array([3, 2, 1]);
    const table: [string, string, number[], number[]][] = [
      ['equal', 'equal', [0, 1, 0], [0, 1, 0]],
      ['notEqual', 'notEqual', [1, 0, 1], [1, 0, 1]],
      ['greater', 'greater', [0, 0, 1], [1, 0, 0]],
      ['greaterEqual', 'greaterEqual', [0, 1, 1], [1, 1, 0]],
      ['lesser', 'lesser', [1, 0, 0], [0, 0, 1]],
      ['lesserEqual', 'lesserEqual', [1, 1, 0], [0, 1, 1]],
    ];
    const ns = nd as unknown as Record<string, (a: NDArray | number, b: NDArray | number) => NDArray>;
    for (const [m, fn, xy, twoVsX] of table) {
      const r = (x as unknown as Record<string, (o: NDArray) => NDArray>)[m].call(x, y);
      expect([m, r.dtype, vals(r)]).toEqual([m, 'float32', xy]);
      expect([fn, vals(ns[fn](x, y))]).toEqual([fn, xy]);
      expect([fn, vals(ns[fn](2, x))]).toEqual([fn, twoVsX]);
    }
    const i = nd.array([1, 2], { dtype: 'int32' }).greater(1);
    expect([i.dtype, vals(i)]).toEqual(['int32', [0, 1]]);
  });

  test('clip(min, max) and nd.where(cond, x, y)', () => {
    const x = nd.array([-2, 0.5, 3]);
    expect(vals(x.clip(-1, 1))).toEqual([-1, 0.5, 1]);
    expect(vals(nd.clip(x, 0, 2))).toEqual([0, 0.5, 2]);
    expect(vals(nd.where(nd.array([1, 0, 1]), x, nd.zeros(3)))).toEqual([-2, 0, 3]);
  });
});

describe('API.md: Reductions', () => {
  const x = () => nd.array([[1, 2, 3], [4, 5, 6]]);
  test('sum mean prod max min: options object, axis number, axis list, keepdims, no axis -> [1]', () => {
    const table: [string, number[], number[], number[]][] = [
      ['sum', [21], [5, 7, 9], [6, 15]],
      ['mean', [3.5], [2.5, 3.5, 4.5], [2, 5]],
      ['prod', [720], [4, 10, 18], [6, 120]],
      ['max', [6], [4, 5, 6], [3, 6]],
      ['min', [1], [1, 2, 3], [1, 4]],
    ];
    for (const [op, all, axis0, axis1] of table) {
      const m = (a: NDArray, o?: unknown) => (a as unknown as Record<string, (o?: unknown) => NDArray>)[op].call(a, o);
      const f = (nd as unknown as Record<string, (a: NDArray, o?: unknown) => NDArray>)[op];
      expect([op, m(x()).shape, vals(m(x()))]).toEqual([op, [1], all]);
      expect([op, vals(m(x(), { axis: 0 }))]).toEqual([op, axis0]);
      expect([op, vals(m(x(), 1))]).toEqual([op, axis1]);
      expect([op, vals(f(x(), { axis: [0, 1] }))]).toEqual([op, all]);
      expect([op, f(x(), { axis: 1, keepdims: true }).shape]).toEqual([op, [2, 1]]);
      expect([op, f(x(), { keepdims: true }).shape]).toEqual([op, [1, 1]]);
      expect([op, f(x(), 0).shape]).toEqual([op, [3]]);
    }
  });

  test('norm({ ord = 2 | 1, axis?, keepdims? }); two axes give the Frobenius norm', () => {
    const a = nd.array([[3, -4], [0, 0]]);
    expect(vals(a.norm())).toEqual([5]);
    expect(vals(nd.norm(a, { ord: 1 }))).toEqual([7]);
    expect(vals(a.norm({ axis: 1 }))).toEqual([5, 0]);
    expect(vals(a.norm({ ord: 1, axis: 0 }))).toEqual([3, 4]);
    expect(a.norm({ axis: 1, keepdims: true }).shape).toEqual([2, 1]);
    expect(vals(a.norm({ axis: [0, 1] }))).toEqual([5]);
    expect(vals(nd.norm(a, 1))).toEqual([5, 0]);
  });

  test('argmax/argmin: no axis is the flat index with shape [1]; indices in the input dtype', () => {
    const a = nd.array([[1, 9, 2], [7, 0, 3]]);
    expect([a.argmax().shape, vals(a.argmax())]).toEqual([[1], [1]]);
    expect(vals(nd.argmin(a))).toEqual([4]);
    expect(vals(a.argmax({ axis: 0 }))).toEqual([1, 0, 1]);
    expect(vals(nd.argmin(a, 1))).toEqual([0, 1]);
    expect(a.argmax(1).dtype).toBe('float32');
    expect(a.astype('float64').argmin(0).dtype).toBe('float64');
    const i = a.astype('int32');
    expect([i.argmax().dtype, i.sum().dtype, i.max({ axis: 1 }).dtype]).toEqual(['int32', 'int32', 'int32']);
    expect(vals(i.sum())).toEqual([22]);
  });

  test('nd.softmax(x, { axis = -1 }) and nd.logSoftmax', () => {
    const a = nd.array([[0, Math.log(3)], [0, 0]]);
    close(nd.softmax(a), [0.25, 0.75, 0.5, 0.5]);
    close(nd.softmax(a, { axis: 0 }), [0.5, 0.75, 0.5, 0.25]);
    close(nd.logSoftmax(a), [Math.log(0.25), Math.log(0.75), Math.log(0.5), Math.log(0.5)]);
    close(nd.logSoftmax(a, { axis: 0 }), [Math.log(0.5), Math.log(0.75), Math.log(0.5), Math.log(0.25)]);
  });
});

describe('API.md: Neural-network ops', () => {
  const x = nd.array([[1, 2], [3, 4]]);
  const w = nd.array([[1, 0], [0, 1], [1, 1]]);
  const b = nd.array([10, 20, 30]);
  test('fullyConnected(x, weight, bias?, { numHidden, noBias = false, flatten = true }) and FullyConnected', () => {
    expect(nd.fullyConnected(x, w, b, { numHidden: 3 }).toArray()).toEqual([[11, 22, 33], [13, 24, 37]]);
    expect(nd.FullyConnected(x, w, null, { numHidden: 3, noBias: true }).toArray()).toEqual([[1, 2, 3], [3, 4, 7]]);
    // MXNet's FullyConnected takes 2 inputs with no_bias=True and refuses a third.
    expect(() => nd.FullyConnected(x, w, b, { numHidden: 3, noBias: true })).toThrow(/a bias was given with noBias true/);
    expect(nd.fullyConnected(x, w).toArray()).toEqual([[1, 2, 3], [3, 4, 7]]);
    expect(nd.fullyConnected(x, w, null, { numHidden: 3, noBias: true }).toArray()).toEqual([[1, 2, 3], [3, 4, 7]]);
    const x3 = nd.arange(8).reshape([2, 2, 2]);
    expect(nd.fullyConnected(x3, nd.ones([5, 4]), nd.zeros(5), { numHidden: 5 }).shape).toEqual([2, 5]);
    expect(nd.fullyConnected(x3, w, b, { numHidden: 3, flatten: false }).shape).toEqual([2, 2, 3]);
  });

  test('fullyConnected(x, weight, { numHidden, noBias: true }) without a bias argument', () => {
    expect(nd.fullyConnected(x, w, { numHidden: 3, noBias: true }).toArray()).toEqual([[1, 2, 3], [3, 4, 7]]);
  });

  test('dropout(x, { p = 0.5 }) is the identity unless training; scales kept values by 1/(1-p); Dropout alias', () => {
    const ones = nd.ones(1000);
    expect(vals(nd.dropout(ones))).toEqual(vals(ones));
    expect(vals(autograd.record(() => nd.dropout(ones), { trainMode: false }))).toEqual(vals(ones));
    const kept = autograd.trainMode(() => nd.dropout(ones));
    expect(new Set(vals(kept))).toEqual(new Set([0, 2]));
    const kept2 = autograd.trainMode(() => nd.Dropout(ones, { p: 0.75 }));
    expect(new Set(vals(kept2))).toEqual(new Set([0, 4]));
    expect(Math.abs(kept2.mean().asScalar() - 1)).toBeLessThan(0.3);
  });

  test('relu, sigmoid, softmax, logSoftmax and softmaxCrossEntropy(logits, labels)', () => {
    expect(vals(nd.relu(nd.array([-1, 2])))).toEqual([0, 2]);
    close(nd.sigmoid(nd.array([0])), [0.5]);
    const logits = nd.array([[0, 0], [0, Math.log(3)]]);
    const loss = nd.softmaxCrossEntropy(logits, nd.array([0, 1]));
    expect(loss.shape).toEqual([1]);
    close(loss, [-(Math.log(0.5) + Math.log(0.75))]);
  });
});

describe('API.md: Linear algebra', () => {
  test('dot: 1-D.1-D -> [1], 2-D.2-D, N-D.M-D, transposeA/transposeB', () => {
    expect(vals(nd.dot(nd.array([1, 2]), nd.array([3, 4])))).toEqual([11]);
    const a = nd.array([[1, 2], [3, 4]]);
    const b = nd.array([[5, 6], [7, 8]]);
    expect(nd.dot(a, b).toArray()).toEqual([[19, 22], [43, 50]]);
    expect(nd.dot(a, b, { transposeA: true }).toArray()).toEqual([[26, 30], [38, 44]]);
    expect(nd.dot(a, b, { transposeB: true }).toArray()).toEqual([[17, 23], [39, 53]]);
    expect(nd.dot(a, b, { transposeA: true, transposeB: true }).toArray()).toEqual([[23, 31], [34, 46]]);
    const nd3 = nd.dot(nd.ones([2, 3, 4]), nd.ones([4, 5, 6]));
    expect(nd3.shape).toEqual([2, 3, 5, 6]);
    expect(vals(nd3.max())).toEqual([4]);
  });

  test('batchDot(a, b, { transposeA?, transposeB? }) on 3-D arrays; batch_dot alias', () => {
    const a = nd.arange(12).reshape([2, 2, 3]);
    const b = nd.ones([2, 3, 2]);
    expect(nd.batchDot(a, b).toArray()).toEqual([[[3, 3], [12, 12]], [[21, 21], [30, 30]]]);
    expect(nd.batchDot(a, a, { transposeB: true }).shape).toEqual([2, 2, 2]);
    expect(nd.batch_dot(a, a, { transposeA: true }).shape).toEqual([2, 3, 3]);
    expect(nd.batchDot(a, b, { transposeA: false, transposeB: false }).toArray()).toEqual(nd.batchDot(a, b).toArray());
  });
});

describe('API.md: Shape', () => {
  const x = () => nd.arange(24).reshape([2, 3, 4]);
  test('reshape with 0 (keep) and -1 (infer); transpose(axes?); T', () => {
    expect(x().reshape([0, -1]).shape).toEqual([2, 12]);
    expect(x().reshape([-1, 4]).shape).toEqual([6, 4]);
    expect(x().transpose().shape).toEqual([4, 3, 2]);
    expect(x().transpose([1, 0, 2]).shape).toEqual([3, 2, 4]);
    expect(x().T.shape).toEqual([4, 3, 2]);
    expect(nd.transpose(x(), [2, 0, 1]).shape).toEqual([4, 2, 3]);
  });

  test('expandDims, squeeze(axis?), flatten (1-D gives [n, 1]), broadcastTo (leading axes)', () => {
    expect(x().expandDims(1).shape).toEqual([2, 1, 3, 4]);
    expect(nd.zeros([1, 2, 1]).squeeze().shape).toEqual([2]);
    expect(nd.zeros([1, 2, 1]).squeeze(0).shape).toEqual([2, 1]);
    expect(x().flatten().shape).toEqual([2, 12]);
    expect(nd.arange(4).flatten().shape).toEqual([4, 1]);
    expect(nd.array([1, 2]).broadcastTo([3, 2]).toArray()).toEqual([[1, 2], [1, 2], [1, 2]]);
  });

  test('tile(reps), repeat(repeats, axis?), swapaxes(a, b)', () => {
    expect(nd.array([1, 2]).tile(2).toArray()).toEqual([1, 2, 1, 2]);
    expect(nd.array([1, 2]).tile([2, 1]).toArray()).toEqual([[1, 2], [1, 2]]);
    expect(nd.array([[1, 2], [3, 4]]).repeat(2).toArray()).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(nd.array([[1, 2], [3, 4]]).repeat(2, 1).toArray()).toEqual([[1, 1, 2, 2], [3, 3, 4, 4]]);
    expect(x().swapaxes(0, 2).shape).toEqual([4, 3, 2]);
  });

  test('concat(...arrays, { dim = 1 }), stack(arrays, { axis = 0 }), split(x, n, { axis = 1, squeezeAxis })', () => {
    const a = nd.ones([2, 2]);
    const b = nd.zeros([2, 1]);
    expect(nd.concat(a, b).shape).toEqual([2, 3]);
    expect(nd.concat(a, nd.zeros([1, 2]), { dim: 0 }).shape).toEqual([3, 2]);
    expect(nd.stack([a, a]).shape).toEqual([2, 2, 2]);
    expect(nd.stack([a, a], { axis: 2 }).shape).toEqual([2, 2, 2]);
    expect(nd.stack([nd.ones(3), nd.zeros(3)], { axis: 1 }).shape).toEqual([3, 2]);
    const parts = nd.split(nd.arange(12).reshape([2, 6]), 3);
    expect(parts.map((p) => p.shape)).toEqual([[2, 2], [2, 2], [2, 2]]);
    expect(nd.split(nd.arange(6).reshape([2, 3]), 2, { axis: 0 }).map((p) => p.toArray())).toEqual([[[0, 1, 2]], [[3, 4, 5]]]);
    expect(nd.split(nd.arange(6).reshape([2, 3]), 3, { squeezeAxis: true }).map((p) => p.shape)).toEqual([[2], [2], [2]]);
    const one = nd.split(a, 1);
    expect(Array.isArray(one)).toBe(true);
    expect(one.length).toBe(1);
  });

  test('slice(begin, end) with begin > end throws', () => {
    expect(() => nd.arange(5).slice(3, 1)).toThrow(RangeError);
  });
});

describe('API.md: Indexing', () => {
  const m = () => nd.arange(12).reshape([3, 4]);
  test('at(...indices) on leading axes, negative from the end', () => {
    expect(m().at(1).toArray()).toEqual([4, 5, 6, 7]);
    expect(m().at(-1, -2).toArray()).toEqual([10]);
    expect(nd.at(m(), 2, 0).asScalar()).toBe(8);
  });

  test('slice(begin, end?) along axis 0; sliceAxis(x, axis, begin, end); nd.slice(x, { begin, end, step? })', () => {
    expect(m().slice(1).shape).toEqual([2, 4]);
    expect(m().slice(-2, -1).toArray()).toEqual([[4, 5, 6, 7]]);
    expect(nd.sliceAxis(m(), 1, 1, 3).toArray()).toEqual([[1, 2], [5, 6], [9, 10]]);
    expect(nd.sliceAxis(m(), 0, -1, null).toArray()).toEqual([[8, 9, 10, 11]]);
    expect(nd.slice(m(), { begin: [1, null], end: [null, 2] }).toArray()).toEqual([[4, 5], [8, 9]]);
    expect(nd.slice(m(), { begin: [null, null], end: [null, null], step: [2, -1] }).toArray()).toEqual([[3, 2, 1, 0], [11, 10, 9, 8]]);
  });

  test("take(x, indices, { axis = 0, mode = 'clip' }): out-of-range and negative indices clip", () => {
    const x = nd.array([[1, 2], [3, 4], [5, 6]]);
    expect(nd.take(x, nd.array([2, -1, 7])).toArray()).toEqual([[5, 6], [1, 2], [5, 6]]);
    expect(nd.take(x, nd.array([1, 0]), { axis: 1 }).toArray()).toEqual([[2, 1], [4, 3], [6, 5]]);
    expect(nd.take(x, nd.array([3, -1]), { mode: 'wrap' }).toArray()).toEqual([[1, 2], [5, 6]]);
    expect(nd.take(x, nd.array([[0], [2]])).shape).toEqual([2, 1, 2]);
  });

  test('pick(x, index, { axis = -1 }) and oneHot(indices, depth)', () => {
    const x = nd.array([[1, 2], [3, 4]]);
    expect(vals(nd.pick(x, nd.array([1, 0])))).toEqual([2, 3]);
    expect(vals(nd.pick(x, nd.array([1, 0]), { axis: 0 }))).toEqual([3, 2]);
    expect(nd.oneHot(nd.array([1, 0, 2]), 3).toArray()).toEqual([[0, 1, 0], [1, 0, 0], [0, 0, 1]]);
  });

  test("topk(x, { axis = -1, k = 1, retTyp = 'indices', isAscend = false }) in every retTyp", () => {
    const x = nd.array([[3, 1, 2], [0, 5, 4]]);
    const def = nd.topk(x);
    expect([def.shape, def.dtype, vals(def)]).toEqual([[2, 1], 'float32', [0, 1]]);
    expect(nd.topk(x, { k: 2 }).toArray()).toEqual([[0, 2], [1, 2]]);
    expect(nd.topk(x, { k: 2, retTyp: 'indices' }).toArray()).toEqual([[0, 2], [1, 2]]);
    expect(nd.topk(x, { k: 2, retTyp: 'value' }).toArray()).toEqual([[3, 2], [5, 4]]);
    const [v, i] = nd.topk(x, { k: 1, retTyp: 'both' });
    expect([v.toArray(), i.toArray()]).toEqual([[[3], [5]], [[0], [1]]]);
    expect(nd.topk(x, { k: 2, retTyp: 'mask' }).toArray()).toEqual([[1, 0, 1], [0, 1, 1]]);
    expect(nd.topk(x, { k: 1, isAscend: true, retTyp: 'value' }).toArray()).toEqual([[1], [0]]);
    expect(nd.topk(x, { axis: 0, retTyp: 'value' }).toArray()).toEqual([[3, 5, 4]]);
  });

  test('sort(x, { axis = -1, isAscend = true }) and argsort', () => {
    const x = nd.array([[3, 1, 2], [0, 5, 4]]);
    expect(nd.sort(x).toArray()).toEqual([[1, 2, 3], [0, 4, 5]]);
    expect(nd.sort(x, { isAscend: false }).toArray()).toEqual([[3, 2, 1], [5, 4, 0]]);
    expect(nd.sort(x, { axis: 0 }).toArray()).toEqual([[0, 1, 2], [3, 5, 4]]);
    expect(nd.argsort(x).toArray()).toEqual([[1, 2, 0], [0, 2, 1]]);
    expect(nd.argsort(x, { axis: 0, isAscend: false }).toArray()).toEqual([[0, 1, 1], [1, 0, 0]]);
  });

  test('all of these are differentiable where MXNet is', () => {
    const x = nd.array([[1, 5, 2], [4, 3, 6]]);
    x.attachGrad();
    const grad = (f: (v: NDArray) => NDArray | NDArray[]) => {
      autograd.record(() => {
        const out = f(x);
        return Array.isArray(out) ? out[0] : out;
      }).backward();
      return x.grad!.toArray();
    };
    expect(grad((v) => v.at(1, 2))).toEqual([[0, 0, 0], [0, 0, 1]]);
    expect(grad((v) => v.slice(1))).toEqual([[0, 0, 0], [1, 1, 1]]);
    expect(grad((v) => nd.sliceAxis(v, 1, 0, 1))).toEqual([[1, 0, 0], [1, 0, 0]]);
    expect(grad((v) => nd.slice(v, { begin: [0, 1], end: [1, 3] }))).toEqual([[0, 1, 1], [0, 0, 0]]);
    expect(grad((v) => nd.take(v, nd.array([1, 1])))).toEqual([[0, 0, 0], [2, 2, 2]]);
    expect(grad((v) => nd.pick(v, nd.array([0, 2])))).toEqual([[1, 0, 0], [0, 0, 1]]);
    expect(grad((v) => nd.topk(v, { retTyp: 'value' }))).toEqual([[0, 1, 0], [0, 0, 1]]);
    expect(grad((v) => nd.topk(v, { retTyp: 'both' }))).toEqual([[0, 1, 0], [0, 0, 1]]);
    expect(grad((v) => nd.sort(v).mul(nd.array([1, 2, 3])))).toEqual([[1, 3, 2], [2, 1, 3]]);
    expect(grad((v) => nd.argsort(v))).toEqual([[0, 0, 0], [0, 0, 0]]);
  });
});

describe('API.md: Writing', () => {
  test('set(value | NDArray) broadcasts; copyTo(other) returns other; copy() is independent', () => {
    const x = nd.zeros([2, 2]);
    x.set(3);
    expect(vals(x)).toEqual([3, 3, 3, 3]);
    x.set(nd.array([1, 2]));
    expect(x.toArray()).toEqual([[1, 2], [1, 2]]);
    const y = nd.zeros([2, 2]);
    expect(x.copyTo(y)).toBe(y);
    expect(y.toArray()).toEqual([[1, 2], [1, 2]]);
    const c = x.copy();
    x.set(0);
    expect(c.toArray()).toEqual([[1, 2], [1, 2]]);
  });

  test('addInPlace subInPlace mulInPlace divInPlace mutate and return the target', () => {
    const x = nd.array([2, 4]);
    expect(x.addInPlace(2)).toBe(x);
    expect(x.subInPlace(nd.array([1, 2]))).toBe(x);
    expect(x.mulInPlace(3)).toBe(x);
    expect(x.divInPlace(nd.array([3, 2]))).toBe(x);
    expect(vals(x)).toEqual([3, 6]);
  });

  test("under record(): MXNet's two in-place errors; outside: plain writes (the SGD update)", () => {
    const w = nd.array([1, 2]);
    w.attachGrad();
    expect(() =>
      autograd.record(() => {
        w.mul(2).addInPlace(1);
      }),
    ).toThrow(/^Assigning to NDArrays that are already in a computational graph/);
    expect(() => autograd.record(() => w.subInPlace(1))).toThrow(/^Assigning to NDArrays that are already in a computational graph/);
    const plain = nd.zeros(2);
    expect(() => autograd.record(() => plain.addInPlace(w))).toThrow(/^Inplace operations .* are not supported when recording with autograd/);
    const loss = autograd.record(() => w.mul(w).sum());
    loss.backward();
    w.subInPlace(w.grad!.mul(0.25));
    expect(vals(w)).toEqual([0.5, 1]);
  });

  test('overwriting an array a recorded graph saved makes backward() throw', () => {
    const x = nd.array([1, 2]);
    x.attachGrad();
    const y = autograd.record(() => x.mul(x));
    x.set(5);
    expect(() => y.backward()).toThrow(/modified in place/);
  });
});

describe('API.md: Memory', () => {
  test('dispose() frees at once and later use throws; memory() counts live storage', () => {
    // The collector may free earlier garbage at any point, so counts are compared as bounds.
    const x = nd.zeros(1000, { dtype: 'float64' });
    const during = nd.memory();
    expect(Object.keys(during).sort()).toEqual(['numArrays', 'numBytes']);
    expect(during.numArrays).toBeGreaterThanOrEqual(1);
    expect(during.numBytes).toBeGreaterThanOrEqual(8000);
    x.dispose();
    const after = nd.memory();
    expect(after.numArrays).toBeLessThanOrEqual(during.numArrays - 1);
    expect(after.numBytes).toBeLessThanOrEqual(during.numBytes - 8000);
    expect(() => x.add(1)).toThrow(/disposed/);
    expect(() => x.toArray()).toThrow(/disposed/);
  });

  test('tidy(fn) disposes every array created inside except those returned', () => {
    let inner: NDArray | undefined;
    const kept = nd.tidy(() => {
      inner = nd.ones(3);
      return { a: inner.mul(2), list: [nd.zeros(1)] };
    });
    expect(inner!.isDisposed).toBe(true);
    expect(vals(kept.a)).toEqual([2, 2, 2]);
    expect(kept.list[0].isDisposed).toBe(false);
  });
});

describe('API.md: autograd', () => {
  test("attachGrad(gradReq = 'write' | 'add' | 'null'); grad becomes zeros; null until attached", () => {
    const x = nd.array([1, 2]);
    expect(x.grad).toBeNull();
    x.attachGrad();
    expect(vals(x.grad)).toEqual([0, 0]);
    const f = () => autograd.record(() => x.mul(3)).backward();
    f();
    f();
    expect(vals(x.grad)).toEqual([3, 3]);
    x.attachGrad('add');
    f();
    f();
    expect(vals(x.grad)).toEqual([6, 6]);
    x.attachGrad('null');
    expect(vals(x.grad)).toEqual([0, 0]);
  });

  test('record(fn, { trainMode = true }) returns fn result; the using form is the same scope', () => {
    expect(autograd.record(() => [autograd.isRecording(), autograd.isTraining()])).toEqual([true, true]);
    expect(autograd.record(() => autograd.isTraining(), { trainMode: false })).toBe(false);
    const x = nd.array([2]);
    x.attachGrad();
    let z: NDArray;
    {
      using _ = autograd.record();
      expect(autograd.isRecording()).toBe(true);
      z = x.mul(x);
    }
    expect(autograd.isRecording()).toBe(false);
    z.backward();
    expect(vals(x.grad)).toEqual([4]);
  });

  test('pause(fn, { trainMode = false }), trainMode(fn), predictMode(fn), setRecording/setTraining', () => {
    autograd.record(() => {
      expect(autograd.pause(() => [autograd.isRecording(), autograd.isTraining()])).toEqual([false, false]);
      expect(autograd.pause(() => autograd.isTraining(), { trainMode: true })).toBe(true);
      expect(autograd.predictMode(() => [autograd.isRecording(), autograd.isTraining()])).toEqual([true, false]);
    });
    expect(autograd.trainMode(() => [autograd.isRecording(), autograd.isTraining()])).toEqual([false, true]);
    expect(autograd.setRecording(true)).toBe(false);
    expect(autograd.isRecording()).toBe(true);
    expect(autograd.setRecording(false)).toBe(true);
    expect(autograd.setTraining(true)).toBe(false);
    expect(autograd.isTraining()).toBe(true);
    expect(autograd.setTraining(false)).toBe(true);
  });

  test('y.backward() / (headGrad) / (headGrad, opts) / (opts); non-scalar heads use ones', () => {
    const x = nd.array([1, 2]);
    x.attachGrad();
    const y = autograd.record(() => x.mul(x));
    y.backward({ retainGraph: true });
    expect(vals(x.grad)).toEqual([2, 4]);
    y.backward(nd.array([1, 10]), { retainGraph: true });
    expect(vals(x.grad)).toEqual([2, 40]);
    y.backward(nd.array([0.5, 0.5]), { retainGraph: true, trainMode: false });
    expect(vals(x.grad)).toEqual([1, 2]);
    y.backward(nd.array([2, 2]));
    expect(vals(x.grad)).toEqual([4, 8]);
    expect(() => y.backward()).toThrow(/Cannot differentiate node because it is not in a computational graph/);
  });

  test('backward({ trainMode }) sets isTraining() while the backward pass runs', () => {
    const seen: boolean[] = [];
    class Probe extends autograd.Function {
      forward(v: NDArray) {
        return v.mul(1);
      }
      backward(g: NDArray) {
        seen.push(autograd.isTraining());
        return g;
      }
    }
    const x = nd.array([1]);
    x.attachGrad();
    autograd.record(() => new Probe().call(x)).backward();
    autograd.record(() => new Probe().call(x)).backward({ trainMode: false });
    autograd.backward(autograd.record(() => new Probe().call(x)), null, { trainMode: false });
    autograd.grad(autograd.record(() => new Probe().call(x)), [x], { trainMode: true });
    expect(seen).toEqual([true, false, false, true]);
  });

  test('autograd.backward(heads, headGrads?, opts): null entries mean ones; wrong shapes and lengths throw', () => {
    const x = nd.array([1, 2]);
    x.attachGrad();
    const [a, b] = autograd.record(() => [x.mul(2), x.mul(x)]);
    autograd.backward([a, b], [null, nd.array([1, 0])], { retainGraph: true });
    expect(vals(x.grad)).toEqual([4, 2]);
    autograd.backward([a, b], undefined, { retainGraph: true });
    expect(vals(x.grad)).toEqual([4, 6]);
    expect(() => autograd.backward([a, b], [null])).toThrow(/same length/);
    expect(() => autograd.backward([a], [nd.ones(3)])).toThrow(/shape/);
    expect(() => a.backward(nd.ones([2, 1]))).toThrow(/shape/);
  });

  test('autograd.grad(heads, variables, { headGrads, retainGraph, createGraph }) -> NDArray[], x.grad untouched', () => {
    const x = nd.array([1, 2]);
    x.attachGrad();
    const y = autograd.record(() => x.mul(x).mul(x));
    const g = autograd.grad(y, x, { retainGraph: true });
    expect(Array.isArray(g)).toBe(true);
    expect(vals(g[0])).toEqual([3, 12]);
    expect(vals(x.grad)).toEqual([0, 0]);
    const [h] = autograd.grad([y], [x], { headGrads: [nd.array([2, 0])], retainGraph: true });
    expect(vals(h)).toEqual([6, 0]);
    const [dx] = autograd.record(() => autograd.grad(y, [x], { createGraph: true }));
    dx.backward();
    expect(vals(x.grad)).toEqual([6, 12]);
  });

  test("markVariables(variables, gradients, gradReqs = 'write'): the given buffers are written", () => {
    const x = nd.array([1, 2]);
    const y = nd.array([3]);
    const gx = nd.zeros(2);
    const gy = nd.ones(1);
    autograd.markVariables([x, y], [gx, gy], ['write', 'add']);
    autograd.record(() => x.sum().mul(y)).backward();
    expect([vals(gx), vals(gy)]).toEqual([[3, 3], [4]]);
    const z = nd.array([5]);
    const gz = nd.zeros(1);
    autograd.markVariables(z, gz);
    autograd.record(() => z.square()).backward();
    expect(vals(gz)).toEqual([10]);
  });

  test('detach() cuts the graph; attachGrad() on a recorded array makes a fresh leaf', () => {
    const x = nd.array([3]);
    x.attachGrad();
    autograd.record(() => x.mul(x.detach())).backward();
    expect(vals(x.grad)).toEqual([3]);
    const z = autograd.record(() => {
      const y = x.mul(2);
      y.attachGrad();
      return y.mul(y);
    });
    z.backward();
    expect(vals(x.grad)).toEqual([3]);
  });

  test('x.set(y) under record() is a recorded copy, so gradients flow to y', () => {
    const y = nd.array([1, 2]);
    y.attachGrad();
    const x = nd.zeros(2);
    autograd.record(() => x.set(y).mul(3)).backward();
    expect(vals(y.grad)).toEqual([3, 3]);
  });

  test('control flow: the tape records what ran (loops, branches, at() picks)', () => {
    const x = nd.array([1, 2, 3]);
    x.attachGrad();
    const y = autograd.record(() => {
      let acc = x.at(0);
      for (let i = 1; i < 3; i++) acc = vals(x.at(i))[0] > 2 ? acc.mul(x.at(i)) : acc.add(x.at(i));
      return acc;
    });
    y.backward();
    // y = (x0 + x1) * x2
    expect(vals(x.grad)).toEqual([3, 3, 3]);
  });

  test('Function: forward with recording off, saveForBackward/savedTensors, one instance per call', () => {
    class MulAdd extends autograd.Function {
      forward(a: NDArray, b: NDArray): NDArray[] {
        expect(autograd.isRecording()).toBe(false);
        this.saveForBackward(a, b);
        return [a.mul(b), a.add(b)];
      }
      backward(dm: NDArray, dn: NDArray): NDArray[] {
        const [a, b] = this.savedTensors;
        return [dm.mul(b).add(dn), dm.mul(a).add(dn)];
      }
    }
    const x = nd.array([2]);
    const y = nd.array([5]);
    x.attachGrad();
    y.attachGrad('add');
    const [m, n] = autograd.record(() => new MulAdd().call(x, y));
    autograd.backward([m, n]);
    autograd.record(() => nd.add(...(new MulAdd().call(x, y) as [NDArray, NDArray]))).backward();
    expect([vals(x.grad), vals(y.grad)]).toEqual([[6], [6]]);
    const op = new MulAdd();
    op.call(x, y);
    expect(() => op.call(x, y)).toThrow(/only be called once/);
  });

  test("Function: backward may return one NDArray for one input; a wrong count is an error", () => {
    class Cube extends autograd.Function {
      forward(v: NDArray) {
        this.saveForBackward(v);
        return v.mul(v).mul(v);
      }
      backward(g: NDArray) {
        const [v] = this.savedTensors;
        return g.mul(v.square().mul(3));
      }
    }
    class Wrong extends autograd.Function {
      forward(a: NDArray, b: NDArray) {
        return a.add(b);
      }
      backward(g: NDArray) {
        return [g];
      }
    }
    const x = nd.array([2]);
    x.attachGrad();
    autograd.record(() => new Cube().call(x) as NDArray).backward();
    expect(vals(x.grad)).toEqual([12]);
    const y = nd.array([1]);
    y.attachGrad();
    expect(() => autograd.record(() => new Wrong().call(x, y) as NDArray).backward()).toThrow(/backward/);
  });

  test('errors: not recorded, freed graph, Promise from record(fn), head gradient shape', () => {
    const x = nd.array([1]);
    x.attachGrad();
    expect(() => x.mul(2).backward()).toThrow(/not in a computational graph/);
    expect(() => autograd.record(() => nd.array([1]).mul(2)).backward()).toThrow(/not in a computational graph/);
    const y = autograd.record(() => x.mul(2));
    y.backward();
    expect(() => y.backward()).toThrow(/retain_graph/);
    expect(() => autograd.record(async () => x.mul(2))).toThrow(/Promise/);
    expect(autograd.isRecording()).toBe(false);
    expect(() => autograd.record(() => x.mul(2)).backward(nd.ones(2))).toThrow(/shape/);
  });
});

describe('API.md: ndgrad/testing', () => {
  test('assertAlmostEqual(a, b, { rtol = 1e-5, atol = 1e-20 }) on NDArrays, TypedArrays, nested arrays, numbers', () => {
    assertAlmostEqual(nd.array([[1, 2]]), [[1, 2 + 1e-5]]);
    assertAlmostEqual(new Float64Array([1, 2]), nd.array([1, 2]));
    assertAlmostEqual(1, 1 + 5e-6);
    expect(() => assertAlmostEqual(1, 1 + 2e-5)).toThrow();
    assertAlmostEqual(1, 1.1, { rtol: 0.1 });
    assertAlmostEqual(0, 1e-3, { atol: 1e-3 });
    expect(() => assertAlmostEqual(0, 1e-21)).not.toThrow();
    expect(() => assertAlmostEqual(0, 1e-19)).toThrow();
    expect(() => assertAlmostEqual(nd.array([[1, 2], [3, 4]]), [[1, 2], [3, 9]])).toThrow(/\[1, 1\].*4.*9/);
  });

  test('checkNumericGradient(fn, inputs, { eps, rtol, atol }) compares autograd with central differences', () => {
    checkNumericGradient((a, b) => a.mul(b).sin(), [nd.array([0.3, 1.2]), nd.array([2, -1])]);
    checkNumericGradient((a) => a.exp(), [nd.array([0.1, 0.2], { dtype: 'float64' })], { eps: 1e-6, rtol: 1e-6, atol: 1e-8 });
    class WrongGrad extends autograd.Function {
      forward(v: NDArray) {
        return v.square();
      }
      backward(g: NDArray) {
        return g;
      }
    }
    expect(() => checkNumericGradient((a) => new WrongGrad().call(a) as NDArray, [nd.array([1, 2])])).toThrow(/gradient of input 0/);
  });

  test('ndgrad/jest: expect(x).toBeCloseToArray(y, { rtol, atol })', () => {
    expect(nd.array([1, 2])).toBeCloseToArray([1, 2]);
    expect(nd.array([1, 2])).toBeCloseToArray(new Float32Array([1, 2.1]), { rtol: 0.1 });
    expect(nd.array([1, 2])).not.toBeCloseToArray([1, 3]);
    expect(nd.array([0])).toBeCloseToArray(0.01, { atol: 0.1 });
  });
});

describe('API.md: Files', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ndgrad-api-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("nd.save of a Record writes MXNet's bytes (MXNET.md's 97-byte dump) and nd.load reads them back", () => {
    const file = path.join(dir, 'a.params');
    nd.save(file, { a: nd.array([[1, 2], [3, 4]]) });
    const expected = Buffer.from(
      [
        '1201000000000000 0000000000000000 0100000000000000', // header, reserved, 1 array
        'c9fa93f9 00000000 02000000 0200000000000000 0200000000000000', // V2 magic, dense, shape (2, 2)
        '01000000 00000000 00000000', // cpu, id 0, float32
        '0000803f 00000040 00004040 00008040', // 1, 2, 3, 4
        '0100000000000000 0100000000000000 61', // 1 name, length 1, "a"
      ]
        .join('')
        .replace(/ /g, ''),
      'hex',
    );
    expect(expected.length).toBe(97);
    expect(fs.readFileSync(file).equals(expected)).toBe(true);
    const loaded = nd.load(file) as Record<string, NDArray>;
    expect(Object.keys(loaded)).toEqual(['a']);
    expect([loaded.a.dtype, loaded.a.toArray()]).toEqual(['float32', [[1, 2], [3, 4]]]);
  });

  test('nd.save of a list round-trips every dtype and zero-size shapes; nd.load gives a list', () => {
    const file = path.join(dir, 'list.params');
    const arrays = [
      nd.array([1.5, -2], { dtype: 'float64' }),
      nd.array([[7, -8]], { dtype: 'int32' }),
      nd.array([0, 255], { dtype: 'uint8' }),
      nd.arange(24).reshape([2, 3, 4]),
      nd.zeros([2, 0, 1]),
    ];
    nd.save(file, arrays);
    const loaded = nd.load(file);
    expect(Array.isArray(loaded)).toBe(true);
    const back = loaded as NDArray[];
    expect(back.map((a) => [a.dtype, a.shape, a.toArray()])).toEqual(arrays.map((a) => [a.dtype, a.shape, a.toArray()]));
  });

  test("nd.load reads MXNet's legacy v0 and V1 records", () => {
    const file = path.join(dir, 'legacy.params');
    const header = Buffer.from('1201000000000000' + '0000000000000000' + '0200000000000000', 'hex');
    // v0: uint32 ndim, uint32 dims, ctx, type flag 4 (int32), data
    const v0 = Buffer.from('01000000' + '02000000' + '01000000' + '00000000' + '04000000' + '05000000' + 'faffffff', 'hex');
    // V1: magic 0xF993FAC8, int32 ndim, int64 dims, ctx, type flag 1 (float64), data
    const v1 = Buffer.concat([
      Buffer.from('c8fa93f9' + '01000000' + '0100000000000000' + '01000000' + '00000000' + '01000000', 'hex'),
      Buffer.from(new Float64Array([0.25]).buffer),
    ]);
    fs.writeFileSync(file, Buffer.concat([header, v0, v1, Buffer.alloc(8)]));
    const [a, b] = nd.load(file) as NDArray[];
    expect([a.dtype, a.toArray()]).toEqual(['int32', [5, -6]]);
    expect([b.dtype, b.toArray()]).toEqual(['float64', [0.25]]);
  });

  test('nd.loadList / nd.loadDict: nd.load typed by what the file holds', () => {
    const listFile = path.join(dir, 'list.params');
    const dictFile = path.join(dir, 'dict.params');
    nd.save(listFile, [nd.ones(2), nd.zeros(3)]);
    nd.save(dictFile, { w: nd.ones(2) });
    const [a, b] = nd.loadList(listFile);
    expect([a?.toArray(), b?.toArray()]).toEqual([[1, 1], [0, 0, 0]]);
    expect(nd.loadDict(dictFile).w?.toArray()).toEqual([1, 1]);
    expect(() => nd.loadList(dictFile)).toThrow(/^loadList: .*dict\.params holds named arrays \(w\.\.\.\); use nd\.loadDict$/);
    expect(() => nd.loadDict(listFile)).toThrow(/^loadDict: .*list\.params holds 2 unnamed arrays; use nd\.loadList$/);
    nd.save(listFile, []);
    expect([nd.loadList(listFile), nd.loadDict(listFile)]).toEqual([[], {}]);
  });

  test('nd.load rejects files that are not MXNet NDArray files', () => {
    const file = path.join(dir, 'bad.params');
    fs.writeFileSync(file, Buffer.from('not an ndarray file'));
    expect(() => nd.load(file)).toThrow(/Invalid NDArray file format/);
    nd.save(file, [nd.ones(4)]);
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 40));
    expect(() => nd.load(file)).toThrow(/Invalid NDArray file format/);
  });

  test('nd.saveNpy / nd.loadNpy read and write NumPy .npy', () => {
    const file = path.join(dir, 'x.npy');
    const x = nd.arange(6, undefined, undefined, { dtype: 'float64' }).reshape([2, 3]);
    nd.saveNpy(file, x);
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(0, 8).equals(Buffer.from('\x93NUMPY\x01\x00', 'latin1'))).toBe(true);
    const headerLen = bytes.readUInt16LE(8);
    expect((10 + headerLen) % 64).toBe(0);
    const header = bytes.subarray(10, 10 + headerLen).toString('latin1');
    expect(header).toMatch(/^\{'descr': '<f8', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    const back = nd.loadNpy(file);
    expect([back.dtype, back.shape, back.toArray()]).toEqual(['float64', [2, 3], [[0, 1, 2], [3, 4, 5]]]);
    for (const dtype of ['float32', 'int32', 'uint8'] as const) {
      nd.saveNpy(file, nd.array([1, 2, 3], { dtype }));
      const r = nd.loadNpy(file);
      expect([r.dtype, r.shape, vals(r)]).toEqual([dtype, [3], [1, 2, 3]]);
    }
  });

  test('nd.loadNpy reads what NumPy writes: 1-element shapes, big-endian and Fortran order', () => {
    const file = path.join(dir, 'numpy.npy');
    const npy = (header: string, data: Buffer) => {
      const pad = 64 - ((10 + header.length + 1) % 64);
      const h = header + ' '.repeat(pad % 64) + '\n';
      const len = Buffer.alloc(2);
      len.writeUInt16LE(h.length);
      return Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), len, Buffer.from(h, 'latin1'), data]);
    };
    fs.writeFileSync(file, npy("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", Buffer.from(new Int32Array([1, -2, 3]).buffer)));
    expect(nd.loadNpy(file).toArray()).toEqual([1, -2, 3]);
    fs.writeFileSync(file, npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1, 2), }", Buffer.from('3f80000040000000', 'hex')));
    expect(nd.loadNpy(file).toArray()).toEqual([[1, 2]]);
    // Fortran order: column-major [[1, 2, 3], [4, 5, 6]]
    fs.writeFileSync(file, npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", Buffer.from(new Float32Array([1, 4, 2, 5, 3, 6]).buffer)));
    expect(nd.loadNpy(file).toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    fs.writeFileSync(file, npy("{'descr': '|u1', 'fortran_order': False, 'shape': (), }", Buffer.from([7])));
    const s = nd.loadNpy(file);
    expect([s.dtype, s.shape, vals(s)]).toEqual(['uint8', [1], [7]]);
    fs.writeFileSync(file, npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", Buffer.alloc(8)));
    expect(() => nd.loadNpy(file)).toThrow(/loadNpy: .*<c8/);
  });
});
